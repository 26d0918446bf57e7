package dev.systemtables.ofrep;

/**
 * An OFREP error answer: the HTTP status, the OpenFeature error code the providers read
 * ({@code FLAG_NOT_FOUND}, {@code TARGETING_KEY_MISSING}, {@code INVALID_CONTEXT}, {@code PARSE_ERROR},
 * {@code GENERAL}) and a sentence naming what is wrong. Control flow, so no stack trace.
 */
final class OfrepError extends RuntimeException {

  static final String FLAG_NOT_FOUND = "FLAG_NOT_FOUND";
  static final String TARGETING_KEY_MISSING = "TARGETING_KEY_MISSING";
  static final String INVALID_CONTEXT = "INVALID_CONTEXT";
  static final String PARSE_ERROR = "PARSE_ERROR";
  static final String GENERAL = "GENERAL";

  private final int status;
  private final String errorCode;

  OfrepError(int status, String errorCode, String details) {
    super(details, null, false, false);
    this.status = status;
    this.errorCode = errorCode;
  }

  static OfrepError badRequest(String errorCode, String details) {
    return new OfrepError(400, errorCode, details);
  }

  static OfrepError notFound(String key) {
    return new OfrepError(404, FLAG_NOT_FOUND, "no flag named '" + key + "'");
  }

  int status() {
    return status;
  }

  String errorCode() {
    return errorCode;
  }

  String details() {
    return getMessage();
  }
}
