import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ZodError, z } from 'zod';
import { busFaultsSchema } from '../bus-faults.ts';
import { doorActionSchema } from '../door-actions.ts';
import { SimulatorError } from '../simulator-error.ts';
import type { ControlledSimulator } from './controlled-simulator.ts';

export interface ControlAppDeps {
  simulator: ControlledSimulator;
  logger: Logger;
}

const doorParams = z.object({
  board: z.coerce.number().int().min(0),
  lock: z.coerce.number().int().min(1),
  action: doorActionSchema,
});

const inputParams = z.object({ name: z.enum(['keypad', 'scanner']) });
const inputBody = z.object({ text: z.string().min(1).max(256) }).strict();

/**
 * The simulator's control API (loopback only): read the state, act on doors, switch faults.
 *   GET    /state
 *   POST   /boards/:board/locks/:lock/:action   (close, hold, release, key, force, jam, …)
 *   POST   /inputs/:name {text}                  (keypad or scanner: one line, CR LF)
 *   PUT    /faults   partial bus faults, merged
 *   DELETE /faults
 */
export async function buildControlApp({ simulator, logger }: ControlAppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger.child({ module: 'sim-control' }) as FastifyBaseLogger,
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ZodError) {
      return reply.code(400).send({
        code: 'SIM_BAD_REQUEST',
        message: 'request does not match the control API',
        issues: error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      });
    }
    if (error instanceof SimulatorError)
      return reply.code(404).send({ code: error.code, message: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ code: 'SIM_ERROR', message: (error as Error).message });
  });

  app.get('/state', async () => simulator.snapshot());

  app.post('/boards/:board/locks/:lock/:action', async (request) => {
    const { board, lock, action } = doorParams.parse(request.params);
    return { board, lock, door: simulator.act(board, lock, action) };
  });

  app.post('/inputs/:name', async (request) => {
    const { name } = inputParams.parse(request.params);
    const { text } = inputBody.parse(request.body);
    await simulator.input(name, text);
    return { name, sent: text };
  });

  app.put('/faults', async (request) =>
    simulator.simBus.setFaults(busFaultsSchema.partial().parse(request.body ?? {})),
  );

  app.delete('/faults', async () => {
    simulator.simBus.clearFaults();
    return simulator.simBus.currentFaults();
  });

  return app;
}
