/** The worker's use of the protocol's request schemas (src/protocol/requests.ts): what does not fit is refused with their message. */
import type { z } from 'zod';
import { BACKEND_ORDER, type BackendName } from '../protocol/messages';
import { backendNameSchema, firstProblem, requestIdSchema } from '../protocol/requests';
import { BadRequestError, type TrainerError } from './errors';

/** Throws `Refusal` (default a 'bad-request' error) with the first problem of `value`, unless it fits `schema`. */
export function refuseUnless(schema: z.ZodType, value: unknown, Refusal: new (message: string) => TrainerError = BadRequestError): void {
  const problem = firstProblem(schema, value);
  if (problem !== undefined) throw new Refusal(problem);
}

/** True for a request that carries a numeric request id. */
export function hasRequestId(request: unknown): request is { requestId: number } {
  return requestIdSchema.safeParse(request).success;
}

/** The engines an 'init' may choose from (default all), checked with the user's override against the known names. */
export function backendOrderOf(backends: BackendName[] | undefined, override: BackendName | undefined): BackendName[] {
  const order = backends && backends.length ? backends : [...BACKEND_ORDER];
  const unknown = [...order, ...(override === undefined ? [] : [override])].filter((b) => !backendNameSchema.safeParse(b).success);
  if (unknown.length) throw new BadRequestError(`Unknown compute engine(s): ${unknown.join(', ')}. Use ${BACKEND_ORDER.join(', ')}.`);
  return order;
}
