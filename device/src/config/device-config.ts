import { secretRefSchema } from '@locker/node-kit';
import { sizeClassSchema } from '@locker/protocol';
import { z } from 'zod';
import { defaultDoorOpenTiming } from '../flows/door-outcome.ts';
import { defaultLockoutPolicy } from '../flows/lockout.ts';
import { languages } from '../kiosk/i18n.ts';
import { lockBusConfigSchema } from '../lockbus/lock-bus-config.ts';
import { espeakDefaults } from '../speech/espeak-speech.ts';
import { updateConfigSchema } from '../update/update-config.ts';

const serialLineSchema = z
  .object({ path: z.string().min(1), baudRate: z.number().int().positive().default(9600) })
  .strict();

const rowSchema = z.enum(['top', 'upper', 'middle', 'lower', 'bottom']);

const compartmentSchema = z
  .object({
    number: z.number().int().positive(),
    board: z.number().int().min(0),
    lock: z.number().int().min(1),
    size: sizeClassSchema,
    doorSensor: z.boolean().default(true),
    itemSensor: z.boolean().default(false),
    /** Where the door is, for the screen: column from the left (1…) and row. */
    position: z.object({ column: z.number().int().positive(), row: rowSchema }).strict(),
    /** Floor to the compartment's bottom and top, in cm (measured at commissioning; EN 301 549 §8.3 reach 38–122 cm). */
    heightCm: z
      .object({ bottom: z.number().min(0).max(300), top: z.number().min(0).max(300) })
      .strict()
      .refine((height) => height.top > height.bottom, 'top must be above bottom')
      .optional(),
  })
  .strict();
export type CompartmentConfig = z.infer<typeof compartmentSchema>;

const pin = z.number().int().min(0).max(1023);

const minute = 60_000;
const hour = 60 * minute;
/**
 * A duration in ms with a ceiling: Node runs a timer above 2³¹−1 ms after 1 ms, so an
 * unbounded value would turn a reminder or a telemetry period into a busy loop.
 */
const durationMs = (min: number, max: number) =>
  z
    .number()
    .int()
    .min(min)
    .max(max, `at most ${max} ms (${max / minute} min)`);

export const deviceConfigSchema = z
  .object({
    lockerId: z.string().regex(/^[a-z0-9-]{1,64}$/, '1–64 of a-z, 0-9 and -, e.g. "ieper-stadhuis-1"'),
    municipality: z.string().min(1).max(64),
    /** production refuses missing or default secrets and a fleet without credentials. */
    mode: z.enum(['production', 'development']).default('production'),
    bus: lockBusConfigSchema,
    compartments: z.array(compartmentSchema).min(1),
    inputs: z
      .object({ keypad: serialLineSchema.optional(), scanner: serialLineSchema.optional() })
      .strict()
      .default({}),
    gpio: z
      .object({
        /**
         * soft: no GPIO; onoff (optional dependency) or sysfs: the kernel's deprecated sysfs GPIO,
         * pins numbered as sysfs numbers them; gpiod: the character device through the libgpiod 1.x
         * tools (Debian `gpiod`), pins as line offsets of `chip`. See hardware-docs/locker-pc/gpio.md.
         */
        driver: z.enum(['soft', 'onoff', 'sysfs', 'gpiod']).default('soft'),
        lightPin: pin.optional(),
        buzzerPin: pin.optional(),
        tamperPin: pin.optional(),
        /** sysfs: where the sysfs GPIO tree is (default /sys/class/gpio). */
        sysfsRoot: z.string().startsWith('/').optional(),
        /** gpiod: the chip as gpioget takes it, a name or a number (default gpiochip0). */
        chip: z
          .string()
          .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a chip name such as gpiochip0, or its number')
          .optional(),
      })
      .strict()
      .default({ driver: 'soft' }),
    fleet: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'an MQTT URL such as mqtts://fleet.example.be:8883'),
        username: z.string().min(1).optional(),
        password: secretRefSchema.optional(),
        /** Reconnect backoff (capped exponential with full jitter); defaults in `reconnectBackoffDefaults`. */
        reconnect: z
          .object({
            baseMs: durationMs(100, 10 * minute).optional(),
            maxMs: durationMs(1000, hour).optional(),
            stableMs: durationMs(1000, hour).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    secrets: z
      .object({
        codeKey: secretRefSchema,
        /** Keys the audit chain (HMAC); kept apart from the database, never given to the fleet. */
        auditKey: secretRefSchema,
      })
      .strict(),
    store: z
      .object({
        path: z.string().min(1),
        /** This locker has been in service: a new or foreign database at start is LOCKER_STATE_LOST, not a fresh locker. */
        commissioned: z.boolean().default(false),
      })
      .strict(),
    kiosk: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** The language each citizen's session starts in and returns to after inactivity. */
        defaultLanguage: z.enum(languages).default('nl'),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, defaultLanguage: 'nl' }),
    timing: z
      .object({
        doorReminderMs: durationMs(1000, hour).default(defaultDoorOpenTiming.reminderMs),
        doorAlarmMs: durationMs(1000, 24 * hour).default(defaultDoorOpenTiming.alarmMs),
        inactivityMs: durationMs(1000, hour).default(60_000),
        telemetryMs: durationMs(1000, hour).default(60_000),
      })
      .strict()
      .default({
        doorReminderMs: defaultDoorOpenTiming.reminderMs,
        doorAlarmMs: defaultDoorOpenTiming.alarmMs,
        inactivityMs: 60_000,
        telemetryMs: 60_000,
      }),
    speech: z
      .object({
        command: z.string().min(1).default(espeakDefaults.command),
        player: z.string().min(1).default(espeakDefaults.player),
        speakerDevice: z.string().min(1).default(espeakDefaults.speakerDevice),
        /** An ALSA card name (as in /proc/asound): spoken there instead of the speaker while present. */
        headsetCard: z.string().min(1).optional(),
      })
      .strict()
      .default(espeakDefaults),
    lockout: z
      .object({
        freeAttempts: z.number().int().min(1).max(20),
        baseDelayMs: durationMs(0, hour),
        maxDelayMs: durationMs(0, 24 * hour),
        alarmAfter: z.number().int().min(1),
        forgetAfterMs: durationMs(1, 7 * 24 * hour),
        budget: z.number().int().min(1).default(defaultLockoutPolicy.budget),
        budgetWindowMs: durationMs(60_000, 7 * 24 * hour).default(defaultLockoutPolicy.budgetWindowMs),
      })
      .strict()
      .default(defaultLockoutPolicy),
    /** Software updates from the fleet (signed releases); absent: this locker is updated by hand. */
    updates: updateConfigSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const numbers = new Set<number>();
    const locks = new Set<string>();
    config.compartments.forEach((c, i) => {
      if (numbers.has(c.number))
        ctx.addIssue({
          code: 'custom',
          path: ['compartments', i, 'number'],
          message: `compartment ${c.number} is listed twice`,
        });
      numbers.add(c.number);
      const key = `${c.board}/${c.lock}`;
      if (locks.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['compartments', i, 'lock'],
          message: `board ${c.board} lock ${c.lock} is already used by another compartment`,
        });
      locks.add(key);
      const board = config.bus.boards.find((b) => b.address === c.board);
      if (!board)
        ctx.addIssue({
          code: 'custom',
          path: ['compartments', i, 'board'],
          message: `no board with address ${c.board} in bus.boards`,
        });
      else if (c.lock > board.locks)
        ctx.addIssue({
          code: 'custom',
          path: ['compartments', i, 'lock'],
          message: `board ${c.board} has ${board.locks} locks`,
        });
    });
    if (config.mode === 'production' && config.fleet && (!config.fleet.username || !config.fleet.password))
      ctx.addIssue({
        code: 'custom',
        path: ['fleet', 'password'],
        message: 'production mode needs fleet.username and fleet.password (per-locker credentials)',
      });
  });

export type DeviceConfig = z.output<typeof deviceConfigSchema>;
export type DeviceConfigInput = z.input<typeof deviceConfigSchema>;
