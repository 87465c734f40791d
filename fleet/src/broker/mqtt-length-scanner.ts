/**
 * Follows MQTT packet boundaries in a byte stream by reading each fixed header (MQTT 3.1.1 §2.2:
 * one type byte, then the remaining length in 1–4 bytes of 7 bits) and skipping the body. It
 * reports a packet whose declared length is over `limit` as soon as the length is known, before
 * any of its body is buffered. `limit` may change between packets (raised after login).
 */
export class MqttLengthScanner {
  private stage: 'type' | 'length' | 'body' = 'type';
  private declared = 0;
  private multiplier = 1;
  private bodyLeft = 0;

  constructor(public limit: number) {}

  /** The declared length of the first packet in `chunk` over the limit (or malformed: -1), else undefined. */
  scan(chunk: Buffer): number | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.stage === 'body') {
        const skip = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= skip;
        i += skip;
        if (this.bodyLeft === 0) this.stage = 'type';
        continue;
      }
      const byte = chunk[i++] ?? 0;
      if (this.stage === 'type') {
        this.stage = 'length';
        this.declared = 0;
        this.multiplier = 1;
        continue;
      }
      this.declared += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80) {
        // §2.2.3: at most four length bytes
        if (this.multiplier > 128 ** 3) return -1;
        continue;
      }
      if (this.declared > this.limit) return this.declared;
      this.bodyLeft = this.declared;
      this.stage = this.declared === 0 ? 'type' : 'body';
    }
    return undefined;
  }
}
