package dev.systemtables.testing;

import dev.systemtables.openapi.ApiContract;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.ResponseParameter;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableResponseImpl;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks every response the tests receive through {@link HttpNode} against openapi.yaml: the status must be
 * one the operation declares (or its {@code default}), the content type one declared for it, and the body
 * and declared headers must match the response's schema (vertx-openapi's {@link ResponseValidator}). So every
 * API test is also a test of the contract. A mismatch fails the test that made the call, naming the
 * operation, the status and what does not match.
 *
 * <p>Calls outside the contract (unknown routes, the bell page, the docs) are not checked.
 */
public final class ContractResponses {

  private static final ApiContract CONTRACT = ApiContract.get();
  /** One small Vert.x of its own: the nodes under test come and go, the checker stays. */
  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static ResponseValidator validator;

  private static final AtomicLong CHECKED = new AtomicLong();
  private static final Map<String, Set<Integer>> SEEN = new ConcurrentHashMap<>();

  private ContractResponses() {
  }

  private static synchronized void init() {
    if (validator != null) return;
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    contract = ApiContract.validated(vertx).await();
    validator = ResponseValidator.create(vertx, contract);
    // What the whole run checked, for a reader of target/ (surefire keeps test output in files anyway).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "contract-responses.txt"), summary() + "\n");
      } catch (java.io.IOException ignored) {
        // target/ may be gone; the checks themselves already ran
      }
    }));
  }

  /** Checks one exchange; throws an {@link AssertionError} when the response breaks the contract. */
  public static void check(String method, String target, Resp resp) {
    init();
    String path = URI.create(target).getRawPath();
    Operation op = contract.findOperation(path, HttpMethod.valueOf(method));
    if (op == null) return;
    String where = op.getOperationId() + " (" + method + " " + path + ") answered " + resp.status();
    Response declared = op.getResponse(resp.status());
    if (declared == null) declared = op.getDefaultResponse();
    if (declared == null) throw new AssertionError(where + ", a status openapi.yaml does not declare: " + resp);

    String contentType = baseType(resp.header("Content-Type"));
    Set<String> mediaTypes = CONTRACT.responseMediaTypes(op.getOperationId(), resp.status());
    boolean hasBody = resp.body() != null && !resp.body().isEmpty();
    if (hasBody && !mediaTypes.contains(contentType)) {
      throw new AssertionError(where + " with Content-Type " + contentType + "; openapi.yaml declares " + mediaTypes);
    }
    if (!hasBody && !mediaTypes.isEmpty()) {
      throw new AssertionError(where + " without a body; openapi.yaml declares " + mediaTypes);
    }

    // Declared headers by the name the contract gives them (the validator looks them up by that name).
    Map<String, ResponseParameter> headers = new HashMap<>();
    for (Parameter h : declared.getHeaders()) {
      String value = resp.header(h.getName());
      if (value != null) headers.put(h.getName(), new RequestParameterImpl(value));
    }
    // The copy vertx-openapi loads reads problem+json as application/json (see ApiContract).
    String validatedType = "application/problem+json".equals(contentType) ? "application/json" : contentType;
    try {
      validator.validate(new ValidatableResponseImpl(resp.status(), headers,
          hasBody ? new RequestParameterImpl(Buffer.buffer(resp.body())) : null, hasBody ? validatedType : null),
          op.getOperationId()).await();
    } catch (SchemaValidationException e) {
      throw new AssertionError(where + " with a body openapi.yaml does not describe: "
          + e.getOutputUnit().getErrors().stream()
              .map(u -> u.getInstanceLocation() + " " + u.getError()).toList() + "\n" + resp.body(), e);
    } catch (ValidatorException e) {
      throw new AssertionError(where + ": " + e.getMessage() + "\n" + resp, e);
    }
    CHECKED.incrementAndGet();
    SEEN.computeIfAbsent(op.getOperationId(), k -> ConcurrentHashMap.newKeySet()).add(resp.status());
  }

  /** How many responses were checked so far, and which statuses each operation answered. */
  public static String summary() {
    return CHECKED.get() + " responses checked against openapi.yaml, covering "
        + SEEN.size() + " of " + CONTRACT.operations().size() + " operations: " + new TreeMap<>(SEEN);
  }

  private static String baseType(String contentType) {
    if (contentType == null) return null;
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase();
  }
}
