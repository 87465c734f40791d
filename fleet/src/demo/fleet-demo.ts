import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockerRig } from '@locker/test-kit/locker';
import type { Logger } from 'pino';
import { fleetConfigSchema } from '../config/fleet-config.ts';
import { FleetServer } from '../fleet-server.ts';
import { DemoMailbox } from './demo-mailbox.ts';

export interface DemoPorts {
  http: number;
  mailbox: number;
  /** Kiosk pages of the lockers: first, first + 1, … (0: any free port). */
  kioskBase: number;
}

export interface DemoLogin {
  username: string;
  password: string;
  role: string;
  municipalities: string[];
  lockerPin?: string;
}

const demoLockers = [
  {
    id: 'ieper-stadhuis-1',
    municipality: 'ieper',
    site: 'ieper-stadhuis',
    name: 'Stadhuis Ieper',
    address: 'Grote Markt 34, 8900 Ieper',
  },
  {
    id: 'poperinge-bib-1',
    municipality: 'poperinge',
    site: 'poperinge-bib',
    name: 'Bibliotheek Poperinge',
    address: 'Gasthuisstraat 1, 8970 Poperinge',
  },
] as const;

/**
 * The whole product on one machine: the fleet (embedded broker, store, API, desk and IT pages),
 * two simulated lockers in two municipalities (device runtime + simulator on ptys), a demo
 * mailbox that receives the citizens' e-mails, demo users with random passwords, and demo data.
 */
export class FleetDemo {
  readonly dir = mkdtempSync(join(tmpdir(), 'locker-demo-'));
  server!: FleetServer;
  readonly mailbox: DemoMailbox;
  readonly lockers: { id: string; rig: LockerRig; kioskUrl: string }[] = [];
  readonly logins: DemoLogin[] = [];
  httpUrl = '';

  constructor(private readonly options: { ports: DemoPorts; logger: Logger }) {
    this.mailbox = new DemoMailbox({ webPort: options.ports.mailbox, logger: options.logger });
  }

  async start(): Promise<void> {
    const { logger, ports } = this.options;
    await this.mailbox.start();
    const secret = () => randomBytes(32).toString('base64url');
    this.server = new FleetServer({
      config: fleetConfigSchema.parse({
        mode: 'development',
        http: { host: '127.0.0.1', port: ports.http },
        mqtt: { broker: 'embedded', host: '127.0.0.1', port: 0 },
        store: { path: join(this.dir, 'fleet.db') },
        secrets: { masterKey: { env: 'DEMO_MASTER_KEY' }, servicePassword: { env: 'DEMO_SERVICE_PASSWORD' } },
        notify: {
          pollMs: 1000,
          email: {
            host: '127.0.0.1',
            port: this.mailbox.smtpPort,
            secure: false,
            from: 'Dienstverlening <loket@westhoek.example>',
          },
        },
        schedule: { tickMs: 60_000 },
      }),
      logger,
      env: { DEMO_MASTER_KEY: secret(), DEMO_SERVICE_PASSWORD: secret() },
    });
    const { httpUrl } = await this.server.start();
    this.httpUrl = httpUrl;
    const { fleet } = this.server;
    fleet.directory.add('ieper', 'Ieper', 'demo');
    fleet.directory.add('poperinge', 'Poperinge', 'demo');
    for (const [i, locker] of demoLockers.entries()) {
      fleet.directory.addSite(
        { id: locker.site, municipalityId: locker.municipality, name: locker.name, address: locker.address },
        'demo',
      );
      const provisioned = fleet.registry.provision(
        { id: locker.id, municipalityId: locker.municipality, siteId: locker.site, name: locker.name },
        'demo',
      );
      const rig = new LockerRig({
        kioskPort: ports.kioskBase ? ports.kioskBase + i : 0,
        sim: { physics: { springMs: 30, bounceMs: 0 } },
        fleet: {
          url: fleet.brokerUrl,
          lockerId: locker.id,
          municipality: locker.municipality,
          password: provisioned.mqtt.password,
          codeKey: provisioned.codeKey,
        },
      });
      await rig.start();
      await rig.startDeviceInProcess();
      this.lockers.push({ id: locker.id, rig, kioskUrl: rig.kioskUrl });
    }
    const users = [
      { username: 'balie.ieper', role: 'desk', municipalities: ['ieper'], lockerPin: '2026110525' },
      { username: 'balie.poperinge', role: 'desk', municipalities: ['poperinge'], lockerPin: '2027110525' },
      { username: 'it.westhoek', role: 'it', municipalities: ['*'] },
      { username: 'admin', role: 'admin', municipalities: ['*'] },
    ] as const;
    for (const u of users) {
      const password = `demo-${randomBytes(6).toString('hex')}`;
      const user = await fleet.staff.create(
        {
          username: u.username,
          display: u.username,
          password,
          role: u.role,
          municipalities: [...u.municipalities],
        },
        'demo',
      );
      if ('lockerPin' in u) fleet.staff.setLockerPin(user.id, u.lockerPin, 'demo');
      this.logins.push({
        username: u.username,
        password,
        role: u.role,
        municipalities: [...u.municipalities],
        ...('lockerPin' in u ? { lockerPin: u.lockerPin } : {}),
      });
    }
    const citizens = [
      {
        lockerId: 'ieper-stadhuis-1',
        itemType: 'hall_key',
        name: 'Jan Peeters',
        email: 'jan.peeters@example.be',
        language: 'nl',
      },
      {
        lockerId: 'ieper-stadhuis-1',
        itemType: 'no_parking_sign',
        name: 'Marie Dubois',
        email: 'marie.dubois@example.be',
        language: 'fr',
      },
      {
        lockerId: 'poperinge-bib-1',
        itemType: 'party_gear',
        name: 'Tom Maes',
        email: 'tom.maes@example.be',
        language: 'nl',
      },
    ] as const;
    for (const c of citizens)
      fleet.reservations.create(
        {
          lockerId: c.lockerId,
          itemType: c.itemType,
          citizen: { name: c.name, email: c.email, language: c.language, channel: 'email' },
        },
        'demo',
      );
  }

  async stop(): Promise<void> {
    for (const { rig } of this.lockers) await rig.stop();
    await this.server?.stop();
    await this.mailbox.stop();
  }
}
