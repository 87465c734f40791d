import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { signedManifestSchema, updateStateSchema } from '@locker/protocol';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReleaseDesk } from '../../releases/release-desk.ts';
import { parseRange } from '../../releases/release-files.ts';
import { defaultStages, stageSchema } from '../../releases/rollout-plan.ts';
import type { RolloutService } from '../../releases/rollout-service.ts';
import { FleetError } from '../../services/fleet-errors.ts';
import { actorName, maySee, type Principal } from '../principal.ts';
import { describeRoute, principalOf } from '../route.ts';
import { idParams } from '../schemas.ts';

const versionPattern = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]{1,40})?$/;
const versionParams = z.object({ version: z.string().regex(versionPattern) });
const targetSchema = z.union([
  z.object({ municipality: z.string().min(1) }).strict(),
  z.object({ site: z.string().min(1) }).strict(),
  z.object({ lockers: z.array(z.string().min(1)).min(1).max(10_000) }).strict(),
]);
const rolloutBody = z
  .object({
    version: z.string().regex(versionPattern),
    target: targetSchema,
    stages: z
      .array(stageSchema)
      .min(1)
      .max(10)
      .default([...defaultStages]),
  })
  .strict();

const uploadView = z.object({
  version: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  keyId: z.string().describe('the release key that signed it'),
});
const releaseView = uploadView.extend({
  role: z.enum(['locker', 'fleet']),
  uploadedBy: z.string(),
  uploadedAt: z.string(),
});
const rolloutView = z.object({
  id: z.string(),
  version: z.string(),
  target: targetSchema,
  stages: z.array(stageSchema),
  state: z.enum(['running', 'paused', 'aborted', 'stopped', 'done']),
  stage: z.number().int().describe('the stage under way (0-based); where a stopped rollout stopped'),
  stoppedReason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const rolloutLockerView = z.object({
  lockerId: z.string(),
  stage: z.number().int(),
  position: z.number().int(),
  state: z.union([z.enum(['pending', 'sent']), updateStateSchema]),
  code: z.string().nullable(),
  message: z.string().nullable(),
  updatedAt: z.string(),
});

function signedManifestHeader(header: string | string[] | undefined) {
  try {
    return signedManifestSchema.parse(
      JSON.parse(Buffer.from(String(header ?? ''), 'base64').toString('utf8')),
    );
  } catch (error) {
    throw new FleetError(
      'RELEASE_MANIFEST_INVALID',
      `x-signed-manifest must be the base64 of the .sig.json that sign-release wrote: ${error}`,
    );
  }
}

/** Only an admin over every municipality handles releases and fleet-wide rollouts. */
function requireAllMunicipalities(principal: Principal): void {
  if (!principal.municipalities.includes('*'))
    throw new FleetError('SCOPE_FORBIDDEN', 'releases and rollouts need an admin of every municipality');
}

export interface ReleaseRouteDeps {
  releases: Pick<ReleaseDesk, 'upload' | 'list' | 'artifact' | 'rollouts'>;
  rollouts: Pick<RolloutService, 'create' | 'control'>;
}

/**
 * Software releases and rollouts: upload (the artifact as the body, its signed manifest in
 * `x-signed-manifest`), list, download with Range (lockers; the signature is their check), and
 * staged rollouts with pause, resume and abort. Every change is audited.
 */
export const releaseRoutes: FastifyPluginAsyncZod<ReleaseRouteDeps> = async (app, deps) => {
  const { releases, rollouts } = deps;
  // the artifact streams to its file: never buffered, counted against the cap while it arrives
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.route({
    ...describeRoute({
      method: 'PUT',
      url: '/api/releases/locker/:version',
      summary:
        'Upload a locker release (body: the .tar.gz; header x-signed-manifest: base64 of its .sig.json)',
      tag: 'releases',
      access: ['admin'],
      errors: [
        'SCOPE_FORBIDDEN',
        'RELEASE_MANIFEST_INVALID',
        'RELEASE_MANIFEST_MISMATCH',
        'RELEASE_BODY_MISSING',
        'UNSUPPORTED_MEDIA_TYPE',
        'RELEASE_TOO_LARGE',
        'RELEASE_SIZE_MISMATCH',
        'RELEASE_DIGEST_MISMATCH',
        'RELEASE_EXISTS',
      ],
      schema: { params: versionParams },
      success: uploadView,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      requireAllMunicipalities(principal);
      const signed = signedManifestHeader(request.headers['x-signed-manifest']);
      const body = request.body as Readable | undefined;
      return releases.upload(request.params.version, signed, body, actorName(principal));
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/releases',
      summary: 'Uploaded releases',
      tag: 'releases',
      access: ['it', 'admin'],
      schema: {},
      success: z.array(releaseView),
    }),
    handler: async () => releases.list(),
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/releases/locker/:version/artifact',
      summary:
        'Download a locker release as application/gzip (Range: bytes=n- answers 206, past the end 416); lockers verify its signature',
      tag: 'releases',
      access: 'public',
      errors: ['NOT_FOUND'],
      schema: { params: versionParams },
      success: z.string().describe('the artifact’s bytes (application/gzip)'),
    }),
    handler: async (request, typedReply) => {
      // 206 and 416 are not JSON bodies: this reply is answered outside the success schema
      const reply: FastifyReply = typedReply;
      const { path, size } = releases.artifact(request.params.version);
      const range = parseRange(request.headers.range, size);
      reply.header('accept-ranges', 'bytes').header('content-type', 'application/gzip');
      if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).send();
      if (!range) return reply.header('content-length', size).send(createReadStream(path));
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', range.end - range.start + 1)
        .send(createReadStream(path, { start: range.start, end: range.end }));
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/rollouts',
      summary: 'Rollouts with each locker’s state (only the lockers of your municipalities)',
      tag: 'releases',
      access: ['it', 'admin'],
      schema: {},
      success: z.array(rolloutView.extend({ lockers: z.array(rolloutLockerView) })),
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      return releases.rollouts((municipalityId) => maySee(principal, municipalityId));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/rollouts',
      summary: 'Start a staged rollout',
      tag: 'releases',
      access: ['admin'],
      errors: ['SCOPE_FORBIDDEN', 'NOT_FOUND', 'ROLLOUT_NO_LOCKERS'],
      schema: { body: rolloutBody },
      success: rolloutView,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      requireAllMunicipalities(principal);
      return rollouts.create({ ...request.body, by: actorName(principal) });
    },
  });

  for (const action of ['pause', 'resume', 'abort'] as const)
    app.route({
      ...describeRoute({
        method: 'POST',
        url: `/api/rollouts/:id/${action}`,
        summary: `${action[0]?.toUpperCase()}${action.slice(1)} a rollout (audited)`,
        tag: 'releases',
        access: ['admin'],
        errors: ['SCOPE_FORBIDDEN', 'NOT_FOUND', 'ROLLOUT_STATE'],
        schema: { params: idParams },
        success: rolloutView,
      }),
      handler: async (request) => {
        const principal = principalOf(request);
        requireAllMunicipalities(principal);
        return rollouts.control(request.params.id, action, actorName(principal));
      },
    });
};
