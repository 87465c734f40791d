import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { commission } from '../commissioning/commissioning.ts';
import { CommissioningError } from '../commissioning/commissioning-error.ts';
import { ReadlineInstaller } from '../commissioning/readline-installer.ts';
import type { LockBoardProtocol } from '../lockbus/boards/index.ts';

const logger = pino({ name: 'commission', level: 'warn' }, pino.destination({ fd: 2, sync: true }));
const protocols: readonly LockBoardProtocol[] = ['cu48', 'cu16', 'xor8a', 'modbus-rtu'];

const usage = `npm run commission -- --port <tty | tcp://host:port> --config <locker.yaml> --report <dir>
    [--protocol cu48,cu16,xor8a] [--expect-boards 0,1,2] [--locker-id ID --municipality NAME]
Stop the device service first: the tool needs the bus to itself. It scans with status reads only,
asks you to open one door per board by hand to confirm the polarity, then unlocks every
compartment one at a time and asks which door opened. --config is updated (bus + compartments)
or created (then --locker-id and --municipality are needed). Exit 0: config written; 1: refused.`;

/** `npm run commission -- …`: commissions a cabinet with the installer at this terminal. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      protocol: { type: 'string' },
      config: { type: 'string' },
      report: { type: 'string' },
      'expect-boards': { type: 'string' },
      'locker-id': { type: 'string' },
      municipality: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (!values.port || !values.config || !values.report) {
    throw new CommissioningError('BAD_ARGUMENT', '--port, --config and --report are required');
  }
  const lines = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
  try {
    const { report, reportPaths } = await commission({
      transport: values.port,
      protocols: values.protocol ? parseProtocols(values.protocol) : [...protocols],
      configPath: values.config,
      reportDir: values.report,
      prompt: new ReadlineInstaller(lines[Symbol.asyncIterator](), process.stdout),
      logger,
      expectedBoards: values['expect-boards'] ? parseAddresses(values['expect-boards']) : [],
      ...(values['locker-id'] && values.municipality
        ? { newLocker: { lockerId: values['locker-id'], municipality: values.municipality } }
        : {}),
    });
    process.stdout.write(`report: ${reportPaths.text} and ${reportPaths.json}\n`);
    return report.refused ? 1 : 0;
  } finally {
    lines.close();
  }
}

function parseProtocols(text: string): LockBoardProtocol[] {
  return text.split(',').map((name) => {
    const protocol = protocols.find((known) => known === name.trim());
    if (!protocol)
      throw new CommissioningError(
        'BAD_ARGUMENT',
        `--protocol: "${name}" is not one of ${protocols.join(', ')}`,
      );
    return protocol;
  });
}

function parseAddresses(text: string): number[] {
  return text.split(',').map((part) => {
    const address = Number(part.trim());
    if (!Number.isInteger(address) || address < 0 || address > 255)
      throw new CommissioningError(
        'BAD_ARGUMENT',
        `--expect-boards: "${part}" is not a board address (0–255)`,
      );
    return address;
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CommissioningError) process.stderr.write(`${error.message}\n${usage}\n`);
    else logger.fatal({ err: error }, 'commissioning failed');
    process.exit(2);
  },
);
