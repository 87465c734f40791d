import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { signedManifestSchema } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Fleet } from '../../fleet.ts';
import { parseRange } from '../../releases/release-files.ts';
import { defaultStages, stageSchema } from '../../releases/rollout-plan.ts';
import { FleetError, notFound } from '../../services/fleet-errors.ts';
import { actorName, maySee, type Principal } from '../principal.ts';
import { route } from '../route.ts';

const versionPattern = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]{1,40})?$/;
const rolloutBody = z
  .object({
    version: z.string().regex(versionPattern),
    target: z.union([
      z.object({ municipality: z.string().min(1) }).strict(),
      z.object({ site: z.string().min(1) }).strict(),
      z.object({ lockers: z.array(z.string().min(1)).min(1).max(10_000) }).strict(),
    ]),
    stages: z
      .array(stageSchema)
      .min(1)
      .max(10)
      .default([...defaultStages]),
  })
  .strict();

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
    throw new FleetError('SCOPE_FORBIDDEN', 'releases and rollouts need an admin of every municipality', 403);
}

/**
 * Software releases and rollouts: upload (the artifact as the body, its signed manifest in
 * `x-signed-manifest`), list, download with Range (lockers; the signature is their check), and
 * staged rollouts with pause, resume and abort. Every change is audited.
 */
export function releaseRoutes(app: FastifyInstance, fleet: Fleet): void {
  app.register(async (scope) => {
    // the artifact streams to its file: never buffered, counted against the cap while it arrives
    scope.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

    route(
      scope,
      {
        method: 'PUT',
        url: '/api/releases/locker/:version',
        summary:
          'Upload a locker release (body: the .tar.gz; header x-signed-manifest: base64 of its .sig.json)',
        tag: 'releases',
        roles: ['admin'],
      },
      async ({ principal, request, params }) => {
        requireAllMunicipalities(principal);
        const signed = signedManifestHeader(request.headers['x-signed-manifest']);
        const { manifest } = signed;
        if (manifest.role !== 'locker' || manifest.version !== params.version)
          throw new FleetError(
            'RELEASE_MANIFEST_MISMATCH',
            `the manifest is for ${manifest.role} ${manifest.version}, not locker ${params.version}`,
          );
        if (fleet.releases.get(manifest.version))
          throw new FleetError('RELEASE_EXISTS', `release ${manifest.version} is already uploaded`, 409);
        if (!request.body)
          throw new FleetError('RELEASE_BODY_MISSING', 'send the artifact as application/octet-stream');
        await fleet.releaseFiles.save(manifest.version, request.body as Readable, manifest);
        const at = new Date().toISOString();
        const by = actorName(principal);
        fleet.store.transaction(() => {
          fleet.releases.add({
            version: manifest.version,
            role: 'locker',
            sha256: manifest.sha256,
            size: manifest.size,
            signed,
            uploadedBy: by,
            uploadedAt: at,
          });
          fleet.store.audit.append(
            {
              actor: by,
              action: 'release.upload',
              municipalityId: null,
              target: manifest.version,
              data: { sha256: manifest.sha256, size: manifest.size, keyId: signed.keyId },
            },
            at,
          );
        });
        return {
          version: manifest.version,
          sha256: manifest.sha256,
          size: manifest.size,
          keyId: signed.keyId,
        };
      },
    );
  });

  route(
    app,
    {
      method: 'GET',
      url: '/api/releases',
      summary: 'Uploaded releases',
      tag: 'releases',
      roles: ['it', 'admin'],
    },
    () => fleet.releases.list().map(({ signed, ...release }) => ({ ...release, keyId: signed.keyId })),
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/releases/locker/:version/artifact',
      summary: 'Download a locker release (Range: bytes=n- resumes); lockers verify its signature',
      tag: 'releases',
      roles: 'public',
    },
    ({ params, request, reply }) => {
      const release = fleet.releases.get(params.version ?? '');
      if (release?.role !== 'locker' || !fleet.releaseFiles.has(release.version))
        throw notFound(`release ${params.version}`);
      const file = fleet.releaseFiles.path(release.version);
      const size = statSync(file).size;
      const range = parseRange(request.headers.range, size);
      reply.header('accept-ranges', 'bytes').header('content-type', 'application/gzip');
      if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).send();
      if (!range) return reply.header('content-length', size).send(createReadStream(file));
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', range.end - range.start + 1)
        .send(createReadStream(file, { start: range.start, end: range.end }));
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/rollouts',
      summary: 'Rollouts with each locker’s state',
      tag: 'releases',
      roles: ['it', 'admin'],
    },
    ({ principal }) =>
      fleet.rollouts
        .overview()
        .map((rollout) => ({
          ...rollout,
          lockers: rollout.lockers.filter((l) => {
            const locker = fleet.store.lockers.get(l.lockerId);
            return locker && maySee(principal, locker.municipalityId);
          }),
        }))
        .filter((rollout) => rollout.lockers.length > 0),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/rollouts',
      summary: 'Start a staged rollout',
      tag: 'releases',
      roles: ['admin'],
      body: rolloutBody,
    },
    ({ principal, body }) => {
      requireAllMunicipalities(principal);
      return fleet.rollouts.create({ ...body, by: actorName(principal) });
    },
  );

  for (const action of ['pause', 'resume', 'abort'] as const)
    route(
      app,
      {
        method: 'POST',
        url: `/api/rollouts/:id/${action}`,
        summary: `${action} a rollout`,
        tag: 'releases',
        roles: ['admin'],
      },
      ({ principal, params }) => {
        requireAllMunicipalities(principal);
        return fleet.rollouts.control(params.id ?? '', action, actorName(principal));
      },
    );
}
