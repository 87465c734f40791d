import type { BrokerLimits } from './broker-limits.ts';

/** Open sockets in total and per remote address; a socket over either limit is not admitted. */
export class ConnectionLimiter {
  private readonly perAddress = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: Pick<BrokerLimits, 'connections' | 'connectionsPerAddress'>) {}

  get open(): number {
    return this.total;
  }

  /** Counts the socket and returns true, or returns false (and counts nothing) past a limit. */
  admit(address: string): boolean {
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.total >= this.limits.connections || fromAddress >= this.limits.connectionsPerAddress)
      return false;
    this.perAddress.set(address, fromAddress + 1);
    this.total++;
    return true;
  }

  release(address: string): void {
    const fromAddress = (this.perAddress.get(address) ?? 1) - 1;
    if (fromAddress > 0) this.perAddress.set(address, fromAddress);
    else this.perAddress.delete(address);
    this.total--;
  }
}
