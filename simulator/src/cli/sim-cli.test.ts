import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fromHex } from '@locker/protocol';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it, vi } from 'vitest';

const cli = new URL('./sim.ts', import.meta.url).pathname;
let child: ChildProcess | undefined;
let childLog = '';

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
});

async function startCli(args: string[]): Promise<{ tty: string; tcpPort?: number; controlUrl: string }> {
  child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  childLog = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    childLog += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, 'line')) as [string];
  return JSON.parse(first);
}

/** Writes raw bytes, as any peer following the public byte reference would, and collects what comes back. */
async function talk(tty: string, baudRate: number, request: Buffer, waitMs = 150): Promise<Buffer> {
  const port = new SerialPort({ path: tty, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const chunks: Buffer[] = [];
  port.on('data', (chunk: Buffer) => chunks.push(chunk));
  port.write(request);
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  await new Promise<void>((resolve) => port.close(() => resolve()));
  return Buffer.concat(chunks);
}

describe('npm run sim (the simulator CLI)', () => {
  it('prints the tty on its first line and answers the documented CU48 bytes from any peer', async () => {
    const { tty, controlUrl } = await startCli(['--protocol', 'cu48', '--boards', '2', '--spring-ms', '0']);
    expect(tty).toMatch(/device$/);
    // 02 STX · 01 board 1 · 30 all · 50 status · 03 ETX · 86 sum
    const status = await talk(tty, 19200, fromHex('02 01 30 50 03 86'));
    // every door closed and locked at start: CU48 v2.1 sets a bit for a locked hook, so all 48 bits are 1
    expect(status).toEqual(fromHex('02 01 00 65 ff ff ff ff ff ff 03 65'));
    // unlock board 1 lock 1: no reply, the door springs open
    expect(await talk(tty, 19200, fromHex('02 01 00 51 03 57'))).toHaveLength(0);
    const state = await (await fetch(`${controlUrl}/state`)).json();
    expect(state.boards[1].doors[0]).toMatchObject({ open: true, unlockCount: 1 });
  });

  it('serves the 8A/80 board at address 1 over TCP as well, and is driven through the control API', async () => {
    const { tcpPort, controlUrl } = await startCli([
      '--protocol',
      'xor8a',
      '--boards',
      '1',
      '--locks',
      '24',
      '--tcp',
      '0',
    ]);
    expect(tcpPort).toBeGreaterThan(0);
    const forced = await fetch(`${controlUrl}/boards/1/locks/1/force`, { method: 'POST' });
    expect(forced.status).toBe(200);
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: tcpPort! });
    await once(socket, 'connect');
    socket.write(fromHex('80 01 01 33 b3'));
    const [reply] = (await once(socket, 'data')) as [Buffer];
    socket.destroy();
    // 80 · board 1 · lock 1 · 00 open · 80 XOR
    expect(reply).toEqual(fromHex('80 01 01 00 80'));
  });

  it('serves Modbus RTU boards (--protocol modbus-rtu): the vendor flash-on frame pulses relay 0 and is echoed', async () => {
    const { tcpPort, controlUrl } = await startCli([
      '--protocol',
      'modbus-rtu',
      '--locks',
      '8',
      '--tcp',
      '0',
    ]);
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: tcpPort! });
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // 01 slave · 05 write single coil · 02 00 flash on relay 0 · 00 07 × 100 ms · 8D B0 CRC (Waveshare wiki)
    socket.write(fromHex('01 05 02 00 00 07 8D B0'));
    await vi.waitFor(() => expect(Buffer.concat(received)).toHaveLength(8), { timeout: 10_000 });
    socket.destroy();
    expect(Buffer.concat(received)).toEqual(fromHex('01 05 02 00 00 07 8D B0'));
    const state = await (await fetch(`${controlUrl}/state`)).json();
    expect(state.boards[0]).toMatchObject({ address: 1 });
    expect(state.boards[0].doors[0]).toMatchObject({ unlockCount: 1 });
  });

  it('starts with request and reply faults from the command line; a lost unlock request opens nothing', async () => {
    const { tty, controlUrl } = await startCli([
      '--protocol',
      'cu48',
      '--request-drop-rate',
      '1',
      '--request-corrupt-rate',
      '0.25',
      '--corrupt-rate',
      '0.5',
    ]);
    const before = await (await fetch(`${controlUrl}/state`)).json();
    expect(before.faults).toMatchObject({
      requestDropRate: 1,
      requestCorruptRate: 0.25,
      corruptRate: 0.5,
      dropRate: 0,
    });
    // unlock board 0 lock 1 (02 00 00 51 03 56): every byte lost on its way to the board
    await talk(tty, 19200, fromHex('02 00 00 51 03 56'));
    await vi.waitFor(
      async () => {
        const state = await (await fetch(`${controlUrl}/state`)).json();
        expect(state.counters.requestBytesDropped).toBe(6);
      },
      { timeout: 10_000 },
    );
    const state = await (await fetch(`${controlUrl}/state`)).json();
    expect(state.boards[0].doors[0]).toMatchObject({ open: false, unlockCount: 0 });
    expect(state.counters.unlockCommands).toBe(0);
  });

  it('refuses a fault rate outside 0–1, naming the option', async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--protocol', 'cu16', '--request-drop-rate', '2'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--request-drop-rate must be a chance per byte from 0 to 1, got "2"/);
  });

  it('stops cleanly on SIGTERM', async () => {
    await startCli(['--protocol', 'cu16', '--boards', '1']);
    child!.kill('SIGTERM');
    const [code] = await once(child!, 'exit');
    expect(code, childLog).toBe(0);
    expect(childLog).toMatch(/simulator stopped/);
  });

  it('refuses bad arguments with a message naming the problem', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', cli, '--protocol', 'cu48', '--boards', '11'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toMatch(/boards: cu48 addresses run 0–9/);
  });
});
