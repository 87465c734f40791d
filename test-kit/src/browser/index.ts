export { launchChromium, seriousViolations } from './headless-browser.ts';
