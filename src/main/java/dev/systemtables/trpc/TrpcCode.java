package dev.systemtables.trpc;

import dev.systemtables.common.ErrorCode;

/**
 * tRPC's error codes as its clients read them: the key ({@code error.data.code}), the JSON-RPC number
 * ({@code error.code}) and the HTTP status ({@code error.data.httpStatus}), as in {@code @trpc/server} 11
 * ({@code rpc/codes.ts}, {@code http/getHTTPStatusCode.ts}).
 */
public enum TrpcCode {
  PARSE_ERROR(-32700, 400),
  BAD_REQUEST(-32600, 400),
  UNAUTHORIZED(-32001, 401),
  PAYMENT_REQUIRED(-32002, 402),
  FORBIDDEN(-32003, 403),
  NOT_FOUND(-32004, 404),
  METHOD_NOT_SUPPORTED(-32005, 405),
  TIMEOUT(-32008, 408),
  CONFLICT(-32009, 409),
  PRECONDITION_FAILED(-32012, 412),
  PAYLOAD_TOO_LARGE(-32013, 413),
  UNSUPPORTED_MEDIA_TYPE(-32015, 415),
  UNPROCESSABLE_CONTENT(-32022, 422),
  PRECONDITION_REQUIRED(-32028, 428),
  TOO_MANY_REQUESTS(-32029, 429),
  CLIENT_CLOSED_REQUEST(-32099, 499),
  INTERNAL_SERVER_ERROR(-32603, 500),
  NOT_IMPLEMENTED(-32603, 501),
  BAD_GATEWAY(-32603, 502),
  SERVICE_UNAVAILABLE(-32603, 503),
  GATEWAY_TIMEOUT(-32603, 504);

  private final int jsonRpc;
  private final int httpStatus;

  TrpcCode(int jsonRpc, int httpStatus) {
    this.jsonRpc = jsonRpc;
    this.httpStatus = httpStatus;
  }

  /** The JSON-RPC 2.0 number of {@code error.code}. */
  public int jsonRpc() {
    return jsonRpc;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /**
   * The tRPC code of a catalog code: the original module answered {@code CONFLICT} for a key being processed
   * and for a taken flag name, {@code NOT_FOUND} for a missing or foreign item, {@code BAD_REQUEST} for
   * invalid input. The catalog code itself travels along as {@code error.data.errorCode}.
   */
  public static TrpcCode of(ErrorCode code) {
    // Every catalog code of a status shares that status's tRPC code: IDEMPOTENCY_IN_PROGRESS, FLAG_NAME_TAKEN
    // and ALREADY_COMPLETED are all CONFLICT, VALIDATION_FAILED and MALFORMED_JSON both BAD_REQUEST.
    return ofStatus(code.status());
  }

  /** The code for an HTTP status a handler in front of the endpoint failed with (e.g. the body limit's 413). */
  public static TrpcCode ofStatus(int status) {
    for (TrpcCode c : values()) {
      // PARSE_ERROR is tRPC's own for unreadable input; a plain 400 is BAD_REQUEST.
      if (c.httpStatus == status && c != PARSE_ERROR) return c;
    }
    return status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL_SERVER_ERROR;
  }
}
