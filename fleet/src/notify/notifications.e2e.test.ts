import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicFor } from '@locker/protocol';
import { createTestFleet, SmtpCapture, until } from '@locker/test-kit/fleet';
import { simpleParser } from 'mailparser';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeQrPng } from '../demo/qr-decode.ts';
import type { Fleet } from '../fleet.ts';
import type { ProvisionedLocker } from '../services/locker-registry.ts';

const lockerId = 'poperinge-bib-1';
const texts: { to: string; text: string }[] = [];
let smsFailuresLeft = 1;
let smtp: SmtpCapture;
let gateway: Server;
let fleet: Fleet;
let locker: ProvisionedLocker;
let device: MqttClient;
let seq = 0;
const eboxDir = mkdtempSync(join(tmpdir(), 'ebox-drop-'));

/** What a locker reports when staff closed the door on the item: published as that locker, over MQTT. */
async function reportLoaded(reservationId: string, compartment: number): Promise<void> {
  seq++;
  const event = {
    v: 1,
    id: randomUUID(),
    seq,
    lockerId,
    type: 'loaded',
    at: new Date().toISOString(),
    compartment,
    reservationId,
    data: {},
  };
  await device.publishAsync(topicFor('events', lockerId), JSON.stringify(event), { qos: 1 });
}

const decodeQr = decodeQrPng;

beforeAll(async () => {
  smtp = new SmtpCapture();
  await smtp.start();
  const smtpPort = smtp.port;
  gateway = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (smsFailuresLeft-- > 0) {
        res.writeHead(503).end('busy');
        return;
      }
      texts.push(JSON.parse(body) as { to: string; text: string });
      res.writeHead(202).end('{}');
    });
  });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  fleet = createTestFleet({
    notify: {
      pollMs: 100,
      retry: { firstDelayMs: 200, maxDelayMs: 1000, maxAttempts: 3 },
      email: {
        host: '127.0.0.1',
        port: smtpPort,
        secure: false,
        from: 'Stad Poperinge <loket@poperinge.example>',
        allowSelfSigned: true,
      },
      sms: {
        url: `http://127.0.0.1:${(gateway.address() as { port: number }).port}/send`,
        sender: 'Poperinge',
      },
      ebox: { dropDir: eboxDir },
    },
  });
  await fleet.start();
  fleet.store.directory.upsertMunicipality('poperinge', 'Poperinge');
  fleet.store.directory.upsertSite({
    id: 'bib',
    municipalityId: 'poperinge',
    name: 'Bibliotheek',
    address: 'Gasthuisstraat 1, 8970 Poperinge',
  });
  locker = fleet.registry.provision(
    { id: lockerId, municipalityId: 'poperinge', siteId: 'bib', name: 'Bibliotheek' },
    'test',
  );
  device = mqtt.connect(fleet.brokerUrl, {
    username: lockerId,
    password: locker.mqtt.password,
    clientId: `locker-${lockerId}`,
  });
  await new Promise((resolve) => device.once('connect', resolve));
}, 30_000);

afterAll(async () => {
  await device?.endAsync();
  await fleet?.stop();
  await smtp?.stop();
  gateway?.close();
});

describe('notifications: e-mail (real SMTP server), SMS gateway (real HTTP), eBox drop folder', () => {
  it('nothing is sent before the locker reports loaded; then the QR by e-mail (inline image) and the PIN by SMS', async () => {
    smsFailuresLeft = 1;
    const mailsBefore = smtp.mails.length;
    const textsBefore = texts.length;
    const r = fleet.reservations.create(
      {
        lockerId,
        itemType: 'passport',
        citizen: {
          name: 'Els Vermeulen',
          email: 'els@example.be',
          phone: '+32470111222',
          language: 'fr',
          channel: 'email',
        },
      },
      'clerk',
    );
    // a pass of the notification worker sends nothing before the item is in the locker
    await fleet.notifications.runOnce();
    expect(smtp.mails).toHaveLength(mailsBefore);
    expect(texts).toHaveLength(textsBefore);

    await reportLoaded(r.id, 3);
    await until(
      () => smtp.mails.length === mailsBefore + 1 && texts.length === textsBefore + 1,
      'e-mail and SMS (after one refused SMS attempt)',
    );
    const mail = await simpleParser(smtp.mails[mailsBefore]!, { keepCidLinks: true });
    expect(mail.subject).toMatch(/^Votre passeport vous attend/);
    expect(mail.text).toContain('Gasthuisstraat 1');
    expect(mail.text).not.toMatch(/\b\d{8}\b/); // two factors: the PIN never travels with the QR
    const image = mail.attachments.find((a) => a.cid === 'pickup-qr');
    expect(image?.contentType).toBe('image/png');
    expect(mail.html).toContain('cid:pickup-qr');
    const qr = decodeQr(image!.content);
    expect(qr).toMatch(new RegExp(`^LKR1\\.${lockerId}\\.`));
    const record = fleet.reservations.get(r.id);
    expect(fleet.registry.hashCode(lockerId, 'qr', qr!.split('.')[2]!)).toBe(record.qrHash);

    const sms = texts[textsBefore]!;
    expect(sms.to).toBe('+32470111222');
    const pin = /: (\d{8})\./.exec(sms.text)?.[1];
    expect(fleet.registry.hashCode(lockerId, 'pin', pin!)).toBe(record.pinHash);

    await until(() => fleet.reservations.get(r.id).state === 'notified', 'notified');
    const queue = fleet.store.notifications.forReservation(r.id);
    expect(queue.map((n) => [n.kind, n.state, n.attempts, n.secretBox])).toEqual([
      ['ready', 'sent', 1, null],
      ['pin', 'sent', 2, null],
    ]);
  });

  it('eBox: the message lands as one whole file in the drop folder, QR included', async () => {
    const r = fleet.reservations.create(
      { lockerId, itemType: 'party_gear', citizen: { name: 'Tom Maes', language: 'nl', channel: 'ebox' } },
      'clerk',
    );
    await reportLoaded(r.id, 5);
    await until(() => readdirSync(eboxDir).some((f) => f.endsWith('.json')), 'eBox file');
    const [file] = readdirSync(eboxDir).filter((f) => f.endsWith('.json'));
    const message = JSON.parse(readFileSync(join(eboxDir, file!), 'utf8')) as {
      subject: string;
      text: string;
      qrPng: string;
      recipient: string;
    };
    expect(message.subject).toMatch(/^Uw feestmateriaal ligt klaar/);
    expect(message.text).toMatch(/terugbrengcode \d{8}/);
    expect(message.recipient).toBe(r.ref);
    expect(decodeQr(Buffer.from(message.qrPng.split(',')[1]!, 'base64'))).toMatch(/^LKR1\./);
  });

  it('a channel that keeps failing is retried with backoff, then given up and left for the desk', async () => {
    smsFailuresLeft = 100;
    const before = fleet.notifications.counters.givenUp;
    const r = fleet.reservations.create(
      {
        lockerId,
        itemType: 'hall_key',
        citizen: { name: 'Lien Claeys', phone: '+32470999888', language: 'en', channel: 'sms' },
      },
      'clerk',
    );
    await reportLoaded(r.id, 7);
    await until(
      () => fleet.notifications.counters.givenUp === before + 1,
      'given up after 3 attempts',
      15_000,
    );
    const [n] = fleet.store.notifications.forReservation(r.id);
    expect(n).toMatchObject({
      state: 'failed',
      attempts: 3,
      secretBox: null,
      lastError: expect.stringMatching(/503/),
    });
    expect(fleet.reservations.get(r.id).state).toBe('loaded');
    smsFailuresLeft = 0;
  });
});
