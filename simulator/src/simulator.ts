import type { Duplex } from 'node:stream';
import pino, { type Logger } from 'pino';
import { SerialPort } from 'serialport';
import { type SimBoard, simBoardProtocols } from './boards/index.ts';
import { buildControlApp } from './control/control-app.ts';
import type { ControlledSimulator } from './control/controlled-simulator.ts';
import { applyDoorAction, type DoorAction } from './door-actions.ts';
import { seededRandom } from './random.ts';
import { SimBus } from './sim-bus.ts';
import { type DoorSnapshot, SimDoor } from './sim-door.ts';
import { type SimInputName, SimLineInput } from './sim-line-input.ts';
import { SimulatorError } from './simulator-error.ts';
import {
  resolveDefaults,
  type SimulatorOptions,
  type SimulatorOptionsInput,
  simulatorOptionsSchema,
} from './simulator-options.ts';
import type { SimulatorSnapshot } from './simulator-snapshot.ts';
import { inProcessLink } from './transports/in-process-link.ts';
import { PtyPair } from './transports/pty-pair.ts';
import { TcpBridge } from './transports/tcp-bridge.ts';

const timeouts = { portCloseMs: 1000 } as const;

/** Where peers reach a running simulator. */
export interface SimulatorAddresses {
  protocol: string;
  tty?: string;
  tcpPort?: number;
  controlUrl?: string;
  keypadTty?: string;
  scannerTty?: string;
}

/**
 * One simulated RS-485 bus of lock boards, reachable over a socat pty pair, a TCP bridge and
 * in-process streams, with an HTTP control API on loopback. `start()`/`stop()`; the constructor
 * only validates and assigns.
 */
export class Simulator implements ControlledSimulator {
  readonly options: SimulatorOptions;
  private bus: SimBus | undefined;
  private pty: PtyPair | undefined;
  private ptyPort: SerialPort | undefined;
  private ptyDetach: (() => void) | undefined;
  private tcp: TcpBridge | undefined;
  private control: Awaited<ReturnType<typeof buildControlApp>> | undefined;
  private addresses: SimulatorAddresses | undefined;
  private readonly inputs = new Map<SimInputName, SimLineInput>();

  constructor(
    options: SimulatorOptionsInput,
    private readonly logger: Logger = pino({ level: 'silent' }),
  ) {
    this.options = simulatorOptionsSchema.parse(options);
  }

  async start(): Promise<SimulatorAddresses> {
    const resolved = resolveDefaults(this.options);
    const random = seededRandom(this.options.seed);
    const boards: SimBoard[] = Array.from({ length: this.options.boards }, (_, i) => ({
      protocol: this.options.protocol,
      address: resolved.firstAddress + i,
      doors: Array.from({ length: resolved.locks }, () => new SimDoor(resolved.physics, random)),
      kerongDialect: resolved.kerongDialect,
      xor8aDialect: resolved.xor8aDialect,
      modbus: resolved.modbus,
    }));
    const bus = new SimBus({
      protocol: resolved.protocol,
      boards,
      random,
      logger: this.logger,
      paceBaudRate: resolved.paceBaudRate,
      turnaroundMs: this.options.turnaroundMs,
    });
    bus.setFaults(this.options.faults);
    this.bus = bus;
    const addresses: SimulatorAddresses = { protocol: this.options.protocol };
    if (this.options.pty) {
      this.pty = new PtyPair();
      await this.pty.start();
      await this.attachPty(this.pty.simPath);
      addresses.tty = this.pty.devicePath;
    }
    if (this.options.tcpPort !== null) {
      this.tcp = new TcpBridge((stream) => bus.attach(stream), this.options.tcpPort);
      await this.tcp.start();
      addresses.tcpPort = this.tcp.port;
    }
    if (this.options.inputs) {
      for (const name of ['keypad', 'scanner'] as const) {
        const input = new SimLineInput(name);
        await input.start();
        this.inputs.set(name, input);
      }
      addresses.keypadTty = this.inputs.get('keypad')?.devicePath;
      addresses.scannerTty = this.inputs.get('scanner')?.devicePath;
    }
    if (this.options.controlPort !== null) {
      this.control = await buildControlApp({ simulator: this, logger: this.logger });
      await this.control.listen({ host: '127.0.0.1', port: this.options.controlPort });
      const address = this.control.server.address();
      const port = typeof address === 'object' && address ? address.port : this.options.controlPort;
      addresses.controlUrl = `http://127.0.0.1:${port}`;
    }
    this.addresses = addresses;
    this.logger.info(
      { ...addresses, boards: boards.map((b) => b.address), locks: resolved.locks },
      'simulated bus ready',
    );
    return addresses;
  }

  async stop(): Promise<void> {
    await this.control?.close();
    await this.tcp?.stop();
    this.bus?.stop();
    const port = this.ptyPort;
    if (port?.isOpen) await closePort(port);
    await this.pty?.stop();
    for (const input of this.inputs.values()) await input.stop();
    this.inputs.clear();
    this.control = undefined;
    this.tcp = undefined;
    this.ptyPort = undefined;
    this.pty = undefined;
  }

  private async attachPty(path: string): Promise<void> {
    const port = await openPort(path, simBoardProtocols[this.options.protocol].baudRate);
    this.ptyPort = port;
    this.ptyDetach = this.simBus.attach(port);
  }

  get simBus(): SimBus {
    if (!this.bus) throw new SimulatorError('SIM_NOT_STARTED', 'call start() first');
    return this.bus;
  }

  get ready(): SimulatorAddresses {
    if (!this.addresses) throw new SimulatorError('SIM_NOT_STARTED', 'call start() first');
    return this.addresses;
  }

  /** Fault: the TCP-to-RS-485 bridge restarts and drops its connections. Returns how many. */
  dropTcpConnections(): number {
    return this.tcp?.dropConnections() ?? 0;
  }

  /** Fault: the pty's USB adapter is pulled out (the device sees its tty vanish). */
  async unplugPty(): Promise<void> {
    const port = this.ptyPort;
    this.ptyPort = undefined;
    this.ptyDetach?.();
    if (port?.isOpen) await closePort(port);
    await this.pty?.unplug();
  }

  /** The adapter is plugged back in at the same path. */
  async replugPty(): Promise<void> {
    if (!this.pty) throw new SimulatorError('SIM_NOT_STARTED', 'this simulator has no pty');
    await this.pty.plugIn();
    await this.attachPty(this.pty.simPath);
  }

  /** A citizen types a code on the keypad, or shows a QR code to the scanner. */
  async input(name: SimInputName, line: string): Promise<void> {
    await this.lineInput(name).type(line);
  }

  /** Raw bytes from the keypad or scanner, no line end added: noise, a line arriving in pieces. */
  async inputBytes(name: SimInputName, bytes: string | Buffer): Promise<void> {
    await this.lineInput(name).write(bytes);
  }

  private lineInput(name: SimInputName): SimLineInput {
    const input = this.inputs.get(name);
    if (!input)
      throw new SimulatorError(
        'SIM_NOT_STARTED',
        `this simulator has no ${name}; start it with inputs: true`,
      );
    return input;
  }

  /** A bus master in the same process: write requests, read replies. */
  connectInProcess(): Duplex {
    const { deviceEnd, busEnd } = inProcessLink();
    const detach = this.simBus.attach(busEnd);
    deviceEnd.once('close', detach);
    return deviceEnd;
  }

  door(board: number, lock: number): SimDoor {
    const door = this.simBus.boards.find((b) => b.address === board)?.doors[lock - 1];
    if (!door) throw new SimulatorError('SIM_UNKNOWN_DOOR', `no lock ${lock} on board ${board}`);
    return door;
  }

  act(board: number, lock: number, action: DoorAction): DoorSnapshot {
    const door = this.door(board, lock);
    applyDoorAction(door, action);
    return door.snapshot();
  }

  snapshot(): SimulatorSnapshot {
    const bus = this.simBus;
    return {
      protocol: this.options.protocol,
      boards: bus.boards.map((board) => ({
        address: board.address,
        doors: board.doors.map((door, i) => ({
          lock: i + 1,
          ...door.snapshot(),
          sensedClosed: door.sensedClosed(),
        })),
      })),
      faults: bus.currentFaults(),
      counters: { ...bus.counters },
    };
  }
}

function closePort(port: SerialPort): Promise<void> {
  return new Promise<void>((resolve) => {
    setTimeout(resolve, timeouts.portCloseMs).unref();
    port.close(() => resolve());
  });
}

async function openPort(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return port;
}
