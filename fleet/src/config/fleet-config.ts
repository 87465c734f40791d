import { secretRefSchema } from '@locker/device';
import { z } from 'zod';

const hostPort = { host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65_535) };

/** The fleet service's one config file (JSON or YAML); secrets come from files or environment. */
export const fleetConfigSchema = z
  .object({
    mode: z.enum(['development', 'production']).default('development'),
    http: z.object(hostPort).strict(),
    /** Embedded aedes (default), or an external broker (Mosquitto, EMQX…) by URL. */
    mqtt: z.discriminatedUnion('broker', [
      z
        .object({
          broker: z.literal('embedded'),
          ...hostPort,
          tls: z
            .object({ port: z.number().int().min(0).max(65_535), certFile: z.string(), keyFile: z.string() })
            .strict()
            .optional(),
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
    schedule: z
      .object({ tickMs: z.number().int().min(100).default(60_000) })
      .strict()
      .default({ tickMs: 60_000 }),
  })
  .strict();
export type FleetConfig = z.output<typeof fleetConfigSchema>;
export type FleetConfigInput = z.input<typeof fleetConfigSchema>;
