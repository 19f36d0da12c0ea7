// Translates what goes wrong between kubegarden and an API server into one
// sentence: what failed, for which object, in which cluster, and what to do.
import { KubegardenError } from '../ui/errors.ts';

export interface RequestContext {
  /** "the garden", "seed \"local\"", "shoot \"demo\"". */
  cluster: string;
  server: string;
  /** The user from the kubeconfig, for 401/403 messages. */
  user: string;
  verb: string;
  /** Resource as the API names it, e.g. "seeds.kubegarden.io". */
  resource: string;
  namespace?: string | undefined;
  name?: string | undefined;
}

export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; group?: string; causes?: Array<{ field?: string; message?: string; reason?: string }> };
}

/** An HTTP error answer from an API server, already translated. */
export class KubeApiError extends KubegardenError {
  readonly status: number;
  readonly apiStatus: KubeStatus | undefined;

  constructor(code: ConstructorParameters<typeof KubegardenError>[0], message: string, status: number, apiStatus: KubeStatus | undefined, hint?: string) {
    super(code, message, hint === undefined ? {} : { hint });
    this.status = status;
    this.apiStatus = apiStatus;
  }
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
};

const TLS_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it presented a self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chains to an unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is signed by an unknown authority',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate does not name this host',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it does not speak TLS on this port',
  EPROTO: 'the TLS handshake failed',
};

export function isTransient(err: unknown): boolean {
  // Translation already decided: 429 and 5xx are "unreachable" unless the request itself is at fault.
  if (err instanceof KubeApiError) return err.code === 'unreachable';
  if (err instanceof KubegardenError) return err.code === 'unreachable' && !(err.cause && tlsReason(err.cause));
  return false;
}

function errnoCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function tlsReason(err: unknown): string | undefined {
  const code = errnoCode(err);
  if (code && TLS_CODES[code]) return TLS_CODES[code];
  const msg = String((err as Error)?.message ?? '');
  if (/certificate|SSL|TLS/i.test(msg) && !/ECONN/.test(msg)) return `TLS failed: ${msg}`;
  return undefined;
}

function objectText(ctx: RequestContext): string {
  const name = ctx.name ? ` "${ctx.name}"` : '';
  const ns = ctx.namespace ? ` in namespace ${ctx.namespace}` : '';
  return `${ctx.resource}${name}${ns}`;
}

/** A failure below HTTP: the server could not be reached or not trusted. */
export function translateNetworkError(err: unknown, ctx: Pick<RequestContext, 'cluster' | 'server'>): KubegardenError {
  const tls = tlsReason(err);
  if (tls) {
    return new KubegardenError('unreachable', `Cannot trust ${ctx.cluster} at ${ctx.server}: ${tls}; check the certificate-authority in the kubeconfig and that the server address is right.`, {
      cause: err,
    });
  }
  const code = errnoCode(err);
  const why = (code && NETWORK_CODES[code]) ?? (err as Error)?.message ?? String(err);
  return new KubegardenError('unreachable', `Cannot reach ${ctx.cluster} at ${ctx.server} (${why}): check that it is running and that the kubeconfig points to it.`, {
    cause: err,
  });
}

/** An HTTP error answer, as one sentence with the right exit code. */
export function translateStatus(status: number, body: KubeStatus | undefined, ctx: RequestContext): KubeApiError {
  const what = objectText(ctx);
  const apiMessage = body?.message;
  switch (status) {
    case 401:
      return new KubeApiError(
        'forbidden',
        `${cap(ctx.cluster)} at ${ctx.server} rejected the credentials of user "${ctx.user}" (401 Unauthorized): renew the client certificate or token in the kubeconfig.`,
        status,
        body,
      );
    case 403:
      return new KubeApiError(
        'forbidden',
        `User "${ctx.user}" may not ${ctx.verb} ${what} in ${ctx.cluster} (403 Forbidden): ask a garden administrator to bind you the kubegarden-admin ClusterRole (or a Role with that permission).`,
        status,
        body,
      );
    case 404:
      // A 404 that is not a Status object means the API itself is not served.
      if (!body?.kind) {
        const garden = ctx.resource.endsWith('kubegarden.io');
        return new KubeApiError(
          'notFound',
          `${cap(ctx.cluster)} does not serve ${ctx.resource}${garden ? ': run "kubegarden garden init" to install the kubegarden API' : ''}.`,
          status,
          body,
        );
      }
      return new KubeApiError('notFound', `${cap(what)} was not found in ${ctx.cluster}.`, status, body);
    case 409:
      return new KubeApiError(
        'conflict',
        `Cannot ${ctx.verb} ${what} in ${ctx.cluster}: ${apiMessage ?? 'it conflicts with the current state'} (409 Conflict); re-run to retry against the current state.`,
        status,
        body,
      );
    case 422:
    case 400:
      return new KubeApiError('invalid', `${cap(ctx.cluster)} refused to ${ctx.verb} ${what}: ${apiMessage ?? 'invalid request'}.`, status, body);
    case 429:
      return new KubeApiError('unreachable', `${cap(ctx.cluster)} is throttling requests (429 Too Many Requests) while trying to ${ctx.verb} ${what}: retry in a moment.`, status, body);
    default:
      // Server-side apply reports a patch that cannot be typed (e.g. duplicate
      // list-map keys) as a 500, though the request is what is wrong.
      if (status === 500 && apiMessage?.includes('failed to create typed patch object')) {
        return new KubeApiError('invalid', `${cap(ctx.cluster)} refused to ${ctx.verb} ${what}: ${apiMessage.replace(/^failed to create typed patch object \([^)]*\): /, '')}.`, status, body);
      }
      if (status >= 500) {
        return new KubeApiError(
          'unreachable',
          `${cap(ctx.cluster)} failed to ${ctx.verb} ${what} (${status}${apiMessage ? `: ${apiMessage}` : ''}): check the API server's health and retry.`,
          status,
          body,
        );
      }
      return new KubeApiError('unexpected', `${cap(ctx.cluster)} answered ${status} to ${ctx.verb} ${what}${apiMessage ? `: ${apiMessage}` : ''}.`, status, body);
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
