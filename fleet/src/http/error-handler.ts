import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { codeForStatus, type ErrorCode, errorCodes, FleetError } from '../services/fleet-errors.ts';

function send(reply: FastifyReply, code: ErrorCode, message: string = errorCodes[code].message) {
  return reply.code(errorCodes[code].status).send({ error: { code, message } });
}

/**
 * Every error as `{"error":{"code","message"}}` with a code of the registry: our own errors,
 * request validation (naming each field, e.g. `body.citizen.phone: …`), fastify's own 4xx errors
 * (bad JSON, body too large), and anything else as a logged 500.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof FleetError) {
    if (error.status >= 500 || error.status === 429) request.log.warn({ code: error.code }, error.message);
    return send(reply, error.code, error.message);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where =
      error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'request');
    const problems = error.validation.map(
      (issue) => `${where}.${issue.instancePath.slice(1).replaceAll('/', '.') || '(root)'}: ${issue.message}`,
    );
    return send(reply, 'VALIDATION_FAILED', problems.join('; '));
  }
  if (error.statusCode && error.statusCode < 500)
    return send(reply, codeForStatus(error.statusCode), error.message);
  request.log.error({ err: error }, 'request failed');
  return send(reply, 'INTERNAL');
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return send(reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
}
