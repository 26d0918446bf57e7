package dev.systemtables.trpc;

/** A failure of the tRPC protocol itself (no such procedure, wrong method, unreadable input), with tRPC's wording. */
final class TrpcException extends RuntimeException {

  private final TrpcCode code;

  TrpcException(TrpcCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  TrpcCode code() {
    return code;
  }
}
