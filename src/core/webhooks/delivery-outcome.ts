/** What one try of a delivery met: an answer, or why none came. */
export type DeliveryResponse =
  | { kind: 'answered'; status: number; retryAfterMs: number | undefined; excerpt: string }
  | { kind: 'no_answer'; reason: 'refused_target' | 'timeout' | 'network' | 'too_large'; message: string };

/** How the try ended, as the `webhook_deliveries_total` metric labels it. */
export const DELIVERY_OUTCOMES = ['succeeded', 'http_error', 'redirect', 'gone', 'timeout', 'network_error', 'refused_target'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface DeliveryVerdict {
  outcome: DeliveryOutcome;
  succeeded: boolean;
  /** Worth another try (a refused target or 410 Gone is not). */
  retryable: boolean;
  /** The endpoint is to be disabled, for this reason. */
  disableEndpoint: string | undefined;
  /** The receiver asked for at least this long before the next try. */
  retryAfterMs: number | undefined;
  /** For the attempt row and the job's failure; undefined on success. */
  error: string | undefined;
}

/**
 * 2xx is delivered. A redirect is a failure (never followed: the endpoint's URL is what was
 * registered). 410 Gone says the endpoint is gone for good: it is disabled. Anything else is retried.
 */
export function judgeDelivery(response: DeliveryResponse): DeliveryVerdict {
  if (response.kind === 'no_answer') {
    const outcome: DeliveryOutcome = response.reason === 'refused_target' ? 'refused_target' : response.reason === 'timeout' ? 'timeout' : 'network_error';
    return { outcome, succeeded: false, retryable: response.reason !== 'refused_target', disableEndpoint: undefined, retryAfterMs: undefined, error: response.message };
  }
  const { status } = response;
  if (status >= 200 && status < 300) {
    return { outcome: 'succeeded', succeeded: true, retryable: false, disableEndpoint: undefined, retryAfterMs: undefined, error: undefined };
  }
  if (status === 410) {
    return {
      outcome: 'gone',
      succeeded: false,
      retryable: false,
      disableEndpoint: 'the endpoint answered 410 Gone',
      retryAfterMs: undefined,
      error: 'the endpoint answered 410 Gone',
    };
  }
  const redirect = status >= 300 && status < 400;
  return {
    outcome: redirect ? 'redirect' : 'http_error',
    succeeded: false,
    retryable: true,
    disableEndpoint: undefined,
    retryAfterMs: response.retryAfterMs,
    error: redirect ? `the endpoint answered ${status}, a redirect, which is not followed` : `the endpoint answered ${status}`,
  };
}

