import { secretRefSchema } from '@locker/node-kit';
import { z } from 'zod';
import { defaultBrokerLimits } from '../broker/broker-limits.ts';
import { isLoopback } from './loopback.ts';

const hostPort = { host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65_535) };

const d = defaultBrokerLimits;
/** What one MQTT client may cost the embedded broker; see `BrokerLimits`. */
const brokerLimitsSchema = z
  .object({
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(d.connectTimeoutMs),
    connectPacketBytes: z
      .number()
      .int()
      .min(256)
      .max(1024 * 1024)
      .default(d.connectPacketBytes),
    packetBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(d.packetBytes),
    servicePacketBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(d.servicePacketBytes),
    connections: z.number().int().min(1).default(d.connections),
    connectionsPerAddress: z.number().int().min(1).default(d.connectionsPerAddress),
  })
  .strict()
  .prefault({});

/** The fleet service's one config file (JSON or YAML); secrets come from files or environment. */
export const fleetConfigSchema = z
  .object({
    /** Required: a missing mode must not quietly mean development. */
    mode: z.enum(['development', 'production'], {
      error:
        'required: production (refuses weak secrets, plain MQTT beyond loopback, sets Secure cookies) or development',
    }),
    http: z
      .object({
        ...hostPort,
        /** The reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client. */
        trustedProxies: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    /** Embedded aedes (default), or an external broker (Mosquitto, EMQX…) by URL. */
    mqtt: z.discriminatedUnion('broker', [
      z
        .object({
          broker: z.literal('embedded'),
          ...hostPort,
          tls: z
            .object({
              /** Where lockers connect; defaults to mqtt.host (in production set 0.0.0.0 here, not there). */
              host: z.string().min(1).optional(),
              port: z.number().int().min(0).max(65_535),
              certFile: z.string(),
              keyFile: z.string(),
            })
            .strict()
            .optional(),
          limits: brokerLimitsSchema,
        })
        .strict(),
      z
        .object({
          broker: z.literal('external'),
          url: z
            .string()
            .regex(/^(mqtts?|tcp|wss?):\/\//, 'an MQTT URL such as mqtt://broker.example.be:1883'),
        })
        .strict(),
    ]),
    store: z.object({ path: z.string().min(1) }).strict(),
    secrets: z
      .object({
        /** Seals each locker's code key and queued messages' codes. */
        masterKey: secretRefSchema,
        /** The fleet's own MQTT identity (`_fleet`). */
        servicePassword: secretRefSchema,
      })
      .strict(),
    notify: z
      .object({
        pollMs: z.number().int().min(50).default(5000),
        retry: z
          .object({
            firstDelayMs: z.number().int().min(10).default(30_000),
            maxDelayMs: z.number().int().min(10).default(3_600_000),
            maxAttempts: z.number().int().min(1).max(50).default(8),
          })
          .strict()
          .prefault({}),
        email: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65_535),
            secure: z.boolean().default(false),
            from: z.string().min(3),
            user: z.string().optional(),
            password: secretRefSchema.optional(),
            allowSelfSigned: z.boolean().default(false),
          })
          .strict()
          .optional(),
        sms: z
          .object({ url: z.url(), token: secretRefSchema.optional(), sender: z.string().min(1).max(11) })
          .strict()
          .optional(),
        ebox: z
          .object({ dropDir: z.string().min(1) })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    schedule: z
      .object({ tickMs: z.number().int().min(100).default(60_000) })
      .strict()
      .default({ tickMs: 60_000 }),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.mode !== 'production') return;
    const { mqtt } = config;
    if (mqtt.broker === 'embedded' && !isLoopback(mqtt.host))
      ctx.addIssue({
        code: 'custom',
        path: ['mqtt', 'host'],
        message:
          'production mode serves plain MQTT on loopback only (the fleet’s own client); lockers connect over TLS: set mqtt.host: 127.0.0.1 and mqtt.tls { host: 0.0.0.0, port: 8883, certFile, keyFile }',
      });
    if (mqtt.broker === 'external') {
      const url = new URL(mqtt.url);
      if (!['mqtts:', 'wss:'].includes(url.protocol) && !isLoopback(url.hostname))
        ctx.addIssue({
          code: 'custom',
          path: ['mqtt', 'url'],
          message:
            'production mode reaches a broker on another machine only over TLS: use mqtts:// (or wss://), or a broker on loopback',
        });
    }
  });

export type FleetConfig = z.output<typeof fleetConfigSchema>;
export type FleetConfigInput = z.input<typeof fleetConfigSchema>;
