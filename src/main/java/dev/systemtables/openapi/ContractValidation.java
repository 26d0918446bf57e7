package dev.systemtables.openapi;

import dev.systemtables.common.ApiException;
import dev.systemtables.http.Endpoint;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import dev.systemtables.http.RequestFilter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The first line of request validation: every {@code /api/v1} request is checked against its operation in
 * the contract (parameters and JSON body) with vertx-openapi's {@link RequestValidator} before the endpoint,
 * and the Idempotency-Key filter, run. A violation is a 400 {@code VALIDATION_FAILED} whose detail names the
 * field ({@link ValidationDetail}). The domains keep their own rules behind it (uniqueness, URL safety,
 * sizes of encoded metadata, …), so what the contract cannot say is still enforced.
 *
 * <p>Runs after authentication (401 and 403 come first, as before) and after {@link Request#json()} has
 * decoded the body, so malformed JSON keeps its own {@code MALFORMED_JSON} answer.
 */
public final class ContractValidation implements RequestFilter {

  private static final Logger LOG = LoggerFactory.getLogger(ContractValidation.class);

  private final String prefix;
  private final Future<OpenAPIContract> validated;
  private final Future<RequestValidator> validator;
  private final Set<String> unknownRoutes = ConcurrentHashMap.newKeySet();
  private final Map<String, Boolean> constrained = new ConcurrentHashMap<>();
  /**
   * Parameter sets already found valid, per operation without a body. Such a check is a pure function of
   * the parameters, and a hot read repeats the same few ({@code ?page=1&limit=20}); vertx-openapi's schema
   * check costs far more than the endpoint itself there (JFR in BENCHMARKS.md). Only passes are kept, only
   * short ones, and at most {@link #MEMO_SIZE}, so hostile input can neither skip a check nor fill memory.
   */
  private final Cache<List<Object>, Boolean> passed = CacheBuilder.newBuilder().maximumSize(MEMO_SIZE).build();
  private static final int MEMO_SIZE = 10_000;
  private static final int MEMO_MAX_CHARS = 256;
  private ApiContract contract;
  private ValidationDetail details;

  /**
   * Starts loading the contract (off the event loop; see {@link #ready()}).
   *
   * @param prefix where the validated routes are mounted, e.g. {@code /api/v1}
   */
  public ContractValidation(Vertx vertx, String prefix) {
    this.prefix = prefix;
    this.validated = ApiContract.validated(vertx);
    this.validator = validated.map(c -> {
      contract = ApiContract.get();
      details = new ValidationDetail(contract);
      return RequestValidator.create(vertx, new ReusedValidators(c));
    });
  }

  /**
   * Completes once the contract is loaded; fails when the contract itself is invalid. Serve no request
   * before.
   */
  public Future<?> ready() {
    return validator;
  }

  /** The contract path of a Vert.x route path under a prefix: {@code /flags/:id} → {@code /api/v1/flags/{id}}. */
  public static String contractPath(String prefix, String routePath) {
    return prefix + routePath.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
  }

  @Override
  public Future<Reply> around(Request req, Endpoint next) {
    Route route = req.context().currentRoute();
    String path = route == null || route.getPath() == null ? null : contractPath(prefix, route.getPath());
    String operationId = path == null ? null : contract.operationId(req.method(), path);
    if (operationId == null) {
      // The contract test fails the build for this; in production the domain rules still apply.
      if (unknownRoutes.add(req.method() + " " + path)) {
        LOG.error("{} {} is not in {}: its requests are not checked against the contract",
            req.method(), path, ApiContract.RESOURCE);
      }
      return next.handle(req);
    }
    Operation operation = validated.result().operation(operationId);
    if (!constrained.computeIfAbsent(operationId, id -> constrains(operation))) return next.handle(req);

    JsonObject body = operation.getRequestBody() == null ? null : req.json();
    Map<String, Map<String, String>> raw = new HashMap<>();
    ValidatableRequest request = validatable(req.context(), operation, body, raw);
    List<Object> memo = operation.getRequestBody() == null && length(raw) <= MEMO_MAX_CHARS
        ? List.of(operationId, raw) : null;
    if (memo != null && passed.getIfPresent(memo) != null) return next.handle(req);
    try {
      validateNow((RequestValidatorImpl) validator.result(), operation, request);
    } catch (ValidatorException e) {
      return Future.failedFuture(ApiException.validation(details.detail(operationId, e, body, raw)));
    }
    if (memo != null) passed.put(memo, Boolean.TRUE);
    return next.handle(req);
  }

  private static int length(Map<String, Map<String, String>> raw) {
    int n = 0;
    for (Map<String, String> in : raw.values()) {
      for (Map.Entry<String, String> e : in.entrySet()) n += e.getKey().length() + e.getValue().length();
    }
    return n;
  }

  /**
   * What {@code RequestValidator.validate} does, on the calling event loop instead of a worker thread: each
   * parameter, then the body, against their schemas. A schema check of a request is a few microseconds of
   * CPU; the worker hop around it cost more than the check and queued every validated request behind the
   * others of its event loop.
   */
  private static void validateNow(RequestValidatorImpl validator, Operation operation, ValidatableRequest request) {
    for (Parameter p : operation.getParameters()) {
      Map<String, RequestParameter> in = switch (p.getIn()) {
        case COOKIE -> request.getCookies();
        case HEADER -> request.getHeaders();
        case PATH -> request.getPathParameters();
        case QUERY -> request.getQuery();
      };
      validator.validateParameter(p, in.get(p.getName()));
    }
    if (operation.getRequestBody() != null) validator.validateBody(operation.getRequestBody(), request);
  }

  /**
   * Whether a request can break the operation's contract at all. One that takes no body and only
   * unconstrained string parameters (e.g. {@code GET /flags/{name}/enabled}, the hottest read) cannot, and
   * skips the schema checks.
   */
  private static boolean constrains(Operation operation) {
    if (operation.getRequestBody() != null) return true;
    for (Parameter p : operation.getParameters()) {
      if (p.getSchemaType() != SchemaType.STRING) return true;
      for (String keyword : p.getSchema().fieldNames()) {
        if (!Set.of("type", "description", "title", "examples").contains(keyword)) return true;
      }
    }
    return false;
  }

  /**
   * The request as vertx-openapi validates it. Built from what Vert.x Web already parsed (the body handler
   * read the body; path parameters come from the matched route, not from segment positions).
   *
   * <p>vertx-openapi 5.0.7 reads a parameter value as JSON when it can (so a string parameter {@code 1.5}
   * would become a number, and a control character makes it "undecodable"): string parameters are
   * therefore handed over JSON-encoded, which it decodes back to exactly the value sent.
   */
  private static ValidatableRequest validatable(RoutingContext rc, Operation operation, JsonObject body,
                                                Map<String, Map<String, String>> raw) {
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    Map<String, RequestParameter> headers = new HashMap<>();
    for (Parameter p : operation.getParameters()) {
      String value;
      Map<String, RequestParameter> target;
      switch (p.getIn()) {
        case PATH -> {
          value = rc.pathParam(p.getName());
          target = path;
        }
        case QUERY -> {
          value = rc.queryParams().get(p.getName());
          target = query;
        }
        case HEADER -> {
          value = rc.request().getHeader(p.getName());
          target = headers;
        }
        default -> {
          continue;
        }
      }
      if (value == null) continue;
      raw.computeIfAbsent(p.getIn().name().toLowerCase(), k -> new HashMap<>()).put(p.getName(), value);
      target.put(p.getName(), new RequestParameterImpl(p.getSchemaType() == SchemaType.STRING ? Json.encode(value) : value));
    }
    RequestParameter content = body == null ? null : new RequestParameterImpl(Buffer.buffer(body.encode()));
    return new ValidatableRequestImpl(Map.of(), headers, path, query, content, body == null ? null : "application/json");
  }
}
