export { type HandOpening, ScriptedInstaller } from './scripted-installer.ts';
