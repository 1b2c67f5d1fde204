/**
 * The one place that talks `fetch`: JSON in, JSON out, and every failure as an `ApiError`.
 *
 * Callers never see a raw `Response`; they get the parsed body or an `ApiError` whose `code` is
 * the server's machine-readable reason, or one of ours: `network` (no answer at all), `timeout`,
 * `bad_response` (an answer that is not our JSON, e.g. a proxy's HTML error page).
 */

/** A failed API call. `status` is 0 when no HTTP answer arrived. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  /** The error's `details` (e.g. `candidates` of an ambiguous place, `missing` of a refused close). */
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, field: string | null = null, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }

  /** True when the server could not be reached or answered with a server-side failure. */
  get isUnavailable(): boolean {
    return this.status === 0 || this.status >= 500 || this.code === "bad_response";
  }
}

export interface JsonRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Sends one request to the same origin and returns the decoded JSON body (undefined on 204). */
export async function sendJson<T>(req: JsonRequest): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...req.headers };
  const init: RequestInit = { method: req.method, headers, credentials: "same-origin" };
  if (req.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(req.body);
  }
  init.signal = AbortSignal.timeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  let response: Response;
  try {
    response = await fetch(req.path, init);
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === "TimeoutError";
    throw new ApiError(0, timedOut ? "timeout" : "network", describe(err));
  }
  if (response.status === 204) {
    return undefined as T;
  }
  const body = await readJson(response);
  if (response.ok) {
    if (body === NOT_JSON) {
      throw new ApiError(response.status, "bad_response", `${req.path}: not JSON`);
    }
    return body as T;
  }
  throw toApiError(response.status, body, req.path);
}

const NOT_JSON = Symbol("not-json");

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.includes("json")) {
    return NOT_JSON;
  }
  try {
    return (await response.json()) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function toApiError(status: number, body: unknown, path: string): ApiError {
  if (typeof body === "object" && body !== null && "error" in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === "object" && error !== null) {
      const e = error as Record<string, unknown>;
      return new ApiError(
        status,
        typeof e.code === "string" ? e.code : `http_${status}`,
        typeof e.message === "string" ? e.message : `${path}: HTTP ${status}`,
        typeof e.field === "string" ? e.field : null,
        typeof e.details === "object" && e.details !== null ? (e.details as Record<string, unknown>) : {},
      );
    }
  }
  return new ApiError(status, body === NOT_JSON ? "bad_response" : `http_${status}`, `${path}: HTTP ${status}`);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
