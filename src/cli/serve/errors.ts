/**
 * Errors `cli serve` answers with, in the OpenAI shape clients know how to read:
 *   { "error": { "message": "...", "type": "invalid_request_error", "param": "messages", "code": null } }
 * Anything thrown while handling a request that is not an ApiError is a 500 `server_error`.
 */
export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'server_error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type: ApiErrorType = status === 401 ? 'authentication_error' : status >= 500 ? 'server_error' : 'invalid_request_error',
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): { error: { message: string; type: ApiErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A 400 naming the offending field. */
export function badRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError(400, message, param, code);
}

/** Any error as an ApiError (unknown ones become a 500 that still says what went wrong). */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(500, `internal error: ${e instanceof Error ? e.message : String(e)}`, null, null, 'server_error');
}
