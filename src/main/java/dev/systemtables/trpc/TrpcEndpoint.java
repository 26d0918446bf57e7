package dev.systemtables.trpc;

import dev.systemtables.http.Edge;

import dev.systemtables.NodeContext;
import dev.systemtables.auth.Caller;
import dev.systemtables.auth.TokenVerifier;
import dev.systemtables.common.ApiException;
import dev.systemtables.common.ErrorCode;
import dev.systemtables.common.Failures;
import dev.systemtables.users.CallerRecorder;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code /api/trpc/*}: the {@link SystemRouter}'s procedures over tRPC's HTTP protocol, as the
 * {@code @trpc/client} 11 links ({@code httpLink}, {@code httpBatchLink}, {@code httpBatchStreamLink}) and the
 * 10 links ({@code httpLink}, {@code httpBatchLink}) speak it:
 * <ul>
 *   <li>a query is {@code GET /api/trpc/<path>?input=<JSON>}, a mutation {@code POST /api/trpc/<path>} with a JSON
 *   body; no {@code input} (or an empty body) is {@code undefined};</li>
 *   <li>{@code ?batch=1}: comma-joined paths, the input an object keyed by call index (a missing index is
 *   {@code undefined}), the answer an array in call order;</li>
 *   <li>{@code trpc-accept: application/jsonl} (or {@code Accept: application/jsonl}) on a batch: the answer is
 *   one JSON line holding every call's envelope, the form {@code httpBatchStreamLink} reads;</li>
 *   <li>{@code {"result":{"data":...}}} or {@code {"error":{"message","code","data":{"code","httpStatus","path",
 *   "zodError",...}}}} per call; the status is the calls' one status, or 207 when they differ (200 for a stream).</li>
 * </ul>
 * Every answer under {@code /api/trpc} is such an envelope, whole-request failures included (405 on the wrong
 * method, 415 on a POST that is not JSON, 413 over the body limit, 500): a tRPC client parses every body as JSON.
 */
public final class TrpcEndpoint {

  /** Where it is mounted. */
  public static final String PATH = "/api/trpc";

  private static final String JSONL = "application/jsonl";
  private static final String VARY = "trpc-accept, accept";

  private final SystemRouter procedures;
  private final TokenVerifier tokens;
  private final CallerRecorder callers;
  private final TrpcSettings settings;
  private final long bodyLimitBytes;

  public TrpcEndpoint(SystemRouter procedures, TokenVerifier tokens, CallerRecorder callers, TrpcSettings settings,
                      long bodyLimitBytes) {
    this.procedures = procedures;
    this.tokens = tokens;
    this.callers = callers;
    this.settings = settings;
    this.bodyLimitBytes = bodyLimitBytes;
  }

  /** The node's endpoint: its domains, tokens, caller directory, {@code trpc} settings and body limit. */
  public static TrpcEndpoint of(NodeContext node) {
    return new TrpcEndpoint(new SystemRouter(node.domains(), node.flags()), node.tokens(), node.callers(),
        TrpcSettings.from(node.config().section("trpc")), node.config().bodyLimitBytes());
  }

  /** Mounts the endpoint on {@code /api/trpc} and everything below it. */
  public void mount(Router router) {
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(bodyLimitBytes);
    for (String path : List.of(PATH, PATH + "/*")) {
      router.route(path)
          .handler(rc -> precheck(rc, bodies))
          .handler(this::handle)
          // Whatever fails on the way (the body limit's 413, a bug's 500) still answers a tRPC envelope.
          .failureHandler(this::failed);
    }
  }

  /** What can be refused before a body is read; then the body, for a POST. */
  private void precheck(RoutingContext rc, BodyHandler bodies) {
    HttpMethod method = rc.request().method();
    if (method == HttpMethod.HEAD) {
      // tRPC answers HEAD with an empty 204 (meant for warming up serverless functions).
      rc.response().putHeader(HttpHeaders.VARY, VARY).setStatusCode(204).end();
      return;
    }
    if (method == HttpMethod.POST) {
      String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
      if (type == null) {
        writeWhole(rc, new TrpcException(TrpcCode.UNSUPPORTED_MEDIA_TYPE, "Missing content-type header"));
        return;
      }
      if (!type.trim().toLowerCase(Locale.ROOT).startsWith("application/json")) {
        writeWhole(rc, new TrpcException(TrpcCode.UNSUPPORTED_MEDIA_TYPE, "Unsupported content-type \"" + type + "\""));
        return;
      }
      bodies.handle(rc);
    } else {
      // A GET's body is never read (a v10 client even sends content-type: application/json with it).
      rc.next();
    }
  }

  private void handle(RoutingContext rc) {
    List<Call> calls;
    boolean batch;
    boolean stream;
    String query = rc.request().query();
    if (!Edge.percentEncodedUtf8(rc.request().path()) || (query != null && !Edge.percentEncodedUtf8(query))) {
      // Decoding such a URL throws deep inside vertx-web; the edge leaves /api/trpc's URLs to this endpoint.
      writeWhole(rc, new TrpcException(TrpcCode.BAD_REQUEST, "the URL has a malformed %-escape or is not UTF-8"));
      return;
    }
    try {
      batch = "1".equals(rc.queryParams().get("batch"));
      stream = streamRequested(rc);
      if (stream && !batch) {
        throw new TrpcException(TrpcCode.BAD_REQUEST, "Streaming requests must be batched (you can do a batch of 1)");
      }
      calls = calls(rc, batch);
    } catch (TrpcException e) {
      writeWhole(rc, e);
      return;
    } catch (IllegalArgumentException e) {
      // A malformed %-escape in the path or the query string.
      writeWhole(rc, new TrpcException(TrpcCode.BAD_REQUEST, "the URL is not validly encoded"));
      return;
    }
    boolean asStream = stream;
    boolean single = !batch;
    Session session = new Session(rc);
    List<Future<Outcome>> outcomes = new ArrayList<>(calls.size());
    for (Call call : calls) outcomes.add(run(session, call));
    Future.join(outcomes).onComplete(x -> {
      List<Outcome> done = new ArrayList<>(outcomes.size());
      outcomes.forEach(f -> done.add(f.result()));
      if (asStream) writeStream(rc, done);
      else writeBatchOrSingle(rc, done, single);
    });
  }

  // ---- reading the request ----

  /** One call of a request: its path, its procedure (null when none is there) and its input. */
  private record Call(String path, Procedure procedure, Object input) {
  }

  private List<Call> calls(RoutingContext rc, boolean batch) {
    String raw = rc.request().path().substring(PATH.length());
    if (raw.startsWith("/")) raw = raw.substring(1);
    List<String> paths = new ArrayList<>();
    for (String p : batch ? raw.split(",", -1) : new String[] {raw}) {
      // Paths are percent-decoded; "+" is a plus sign in a path, not a space.
      paths.add(URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    if (paths.size() > settings.maxBatchSize()) {
      throw new TrpcException(TrpcCode.BAD_REQUEST, "Batch call exceeds maximum size");
    }
    Object wire = Inputs.parse(rc.request().method() == HttpMethod.POST
        ? (rc.body() == null ? null : rc.body().asString())
        : rc.queryParams().get("input"));
    if (batch && wire != Inputs.UNDEFINED && !(wire instanceof JsonObject) && !(wire instanceof JsonArray)) {
      throw new TrpcException(TrpcCode.BAD_REQUEST, "\"input\" needs to be an object when doing a batch call");
    }
    List<Call> calls = new ArrayList<>(paths.size());
    Set<Procedure.Kind> kinds = EnumSet.noneOf(Procedure.Kind.class);
    for (int i = 0; i < paths.size(); i++) {
      Procedure procedure = procedures.find(paths.get(i));
      if (procedure != null) kinds.add(procedure.kind());
      Object input = batch ? at(wire, i) : wire;
      calls.add(new Call(paths.get(i), procedure, settings.transformer().input(input)));
    }
    if (kinds.size() > 1) {
      throw new TrpcException(TrpcCode.BAD_REQUEST, "Cannot mix procedure types in call: "
          + kinds.stream().map(k -> k.word).collect(Collectors.joining(", ")));
    }
    return calls;
  }

  /** A batch's input at one index: a member keyed by the index (or an array element); absent is undefined. */
  private static Object at(Object wire, int index) {
    if (wire instanceof JsonObject o) {
      String key = String.valueOf(index);
      return o.containsKey(key) ? o.getValue(key) : Inputs.UNDEFINED;
    }
    if (wire instanceof JsonArray a) return index < a.size() ? a.getValue(index) : Inputs.UNDEFINED;
    return Inputs.UNDEFINED;
  }

  private static boolean streamRequested(RoutingContext rc) {
    String trpcAccept = rc.request().getHeader("trpc-accept");
    if (trpcAccept != null) return JSONL.equalsIgnoreCase(trpcAccept.trim());
    String accept = rc.request().getHeader(HttpHeaders.ACCEPT);
    if (accept == null) return false;
    for (String type : accept.split(",")) {
      if (type.split(";")[0].trim().equalsIgnoreCase(JSONL)) return true;
    }
    return false;
  }

  // ---- running the calls ----

  /** What one request shares between its calls: the caller is authenticated and recorded once. */
  private final class Session {
    private final RoutingContext rc;
    private Future<Caller> caller;
    private Future<Void> recorded;

    Session(RoutingContext rc) {
      this.rc = rc;
    }

    Future<Caller> caller() {
      if (caller == null) {
        caller = tokens.verify(TokenVerifier.bearer(rc.request().getHeader(HttpHeaders.AUTHORIZATION)));
      }
      return caller;
    }

    Future<Void> record(Caller c) {
      if (recorded == null) recorded = callers.record(c);
      return recorded;
    }
  }

  /** One call's answer: its plain envelope, its status, and where its output holds timestamps. */
  private record Outcome(int status, JsonObject envelope, List<String> datePaths, Object retryAfter) {

    boolean ok() {
      return envelope.containsKey("result");
    }
  }

  private Future<Outcome> run(Session session, Call call) {
    Procedure p = call.procedure();
    if (p == null) {
      return Future.succeededFuture(failure(call, new TrpcException(TrpcCode.NOT_FOUND,
          "No procedure found on path \"" + call.path() + "\"")));
    }
    HttpMethod method = session.rc.request().method();
    boolean allowed = p.kind() == Procedure.Kind.QUERY
        ? method == HttpMethod.GET || (settings.allowMethodOverride() && method == HttpMethod.POST)
        : method == HttpMethod.POST;
    if (!allowed) {
      return Future.succeededFuture(failure(call, new TrpcException(TrpcCode.METHOD_NOT_SUPPORTED,
          "Unsupported " + method.name() + "-request to " + p.kind().word + " procedure at path \"" + call.path() + "\"")));
    }
    // As REST: the token, then the role, then the caller is recorded in the users directory, then the work.
    return session.caller()
        .compose(caller -> p.access().allows(caller)
            ? session.record(caller).map(caller)
            : Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, "role " + caller.role() + " may not call this")))
        .compose(caller -> p.run(caller, call.input()))
        .map(output -> new Outcome(200, new JsonObject().put("result", new JsonObject().put("data", output)),
            p.datePaths(output), null))
        .otherwise(t -> failure(call, t));
  }

  private static Outcome failure(Call call, Throwable t) {
    Set<String> fields = call.procedure() == null ? null : call.procedure().inputFields();
    JsonObject shape = shape(t, call.path(), fields == null ? Set.of() : fields);
    JsonObject data = shape.getJsonObject("data");
    return new Outcome(data.getInteger("httpStatus"), new JsonObject().put("error", shape), List.of(),
        data.getValue("retryAfterSeconds"));
  }

  /**
   * The error shape: tRPC's default ({@code message}, {@code code}, {@code data.code}, {@code data.httpStatus},
   * {@code data.path}) plus what create-t3-app's formatter adds ({@code data.zodError}: zod's flatten of invalid
   * input, else null), the service's catalog code ({@code data.errorCode}) and the catalog error's extras (e.g.
   * {@code unknownUserIds}, {@code retryAfterSeconds}). Never a stack trace.
   */
  static JsonObject shape(Throwable t, String path, Set<String> inputFields) {
    TrpcCode code;
    String message;
    JsonObject data = new JsonObject();
    JsonObject extra = null;
    String catalog = null;
    if (t instanceof TrpcException e) {
      code = e.code();
      message = e.getMessage();
    } else {
      ApiException api = Failures.toApi(t);
      code = TrpcCode.of(api.code());
      message = api.detail();
      catalog = api.code().name();
      extra = api.extra();
    }
    data.put("code", code.name()).put("httpStatus", code.httpStatus());
    if (path != null) data.put("path", path);
    data.put("zodError", code == TrpcCode.BAD_REQUEST && catalog != null ? ZodErrors.flatten(message, inputFields) : null);
    if (catalog != null) data.put("errorCode", catalog);
    if (extra != null) extra.forEach(e -> {
      if (!data.containsKey(e.getKey())) data.put(e.getKey(), e.getValue());
    });
    return new JsonObject().put("message", message).put("code", code.jsonRpc()).put("data", data);
  }

  // ---- writing the answer ----

  private void writeBatchOrSingle(RoutingContext rc, List<Outcome> outcomes, boolean single) {
    Transformer transformer = settings.transformer();
    JsonArray items = new JsonArray();
    for (Outcome o : outcomes) items.add(transform(o, transformer));
    Set<Integer> statuses = new TreeSet<>();
    outcomes.forEach(o -> statuses.add(o.status()));
    int status = statuses.size() == 1 ? statuses.iterator().next() : 207;
    HttpServerResponse response = start(rc, status, outcomes);
    if (response != null) response.end((single ? items.getValue(0) : items).toString());
  }

  /**
   * The JSONL answer {@code httpBatchStreamLink} reads: a single head line holding every call's envelope already
   * resolved ({@code {"0":[[envelope]],"1":[[envelope]]}}, the whole line superjson-wrapped when superjson is
   * on), so no chunk lines follow. Always 200: the calls' statuses travel inside.
   */
  private void writeStream(RoutingContext rc, List<Outcome> outcomes) {
    JsonObject head = new JsonObject();
    List<String> datePaths = new ArrayList<>();
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome o = outcomes.get(i);
      head.put(String.valueOf(i), new JsonArray().add(new JsonArray().add(o.envelope())));
      String prefix = i + ".0.0.result.data.";
      o.datePaths().forEach(p -> datePaths.add(prefix + p));
    }
    HttpServerResponse response = start(rc, 200, outcomes);
    if (response != null) response.end(settings.transformer().output(head, datePaths) + "\n");
  }

  private static Object transform(Outcome o, Transformer transformer) {
    if (o.ok()) {
      Object data = o.envelope().getJsonObject("result").getValue("data");
      return new JsonObject().put("result", new JsonObject().put("data", transformer.output(data, o.datePaths())));
    }
    return new JsonObject().put("error", transformer.output(o.envelope().getValue("error"), List.of()));
  }

  private static HttpServerResponse start(RoutingContext rc, int status, List<Outcome> outcomes) {
    HttpServerResponse response = rc.response();
    if (response.ended() || response.headWritten()) return null;
    long retryAfter = 0;
    for (Outcome o : outcomes) {
      if (o.retryAfter() instanceof Number n) retryAfter = Math.max(retryAfter, n.longValue());
    }
    if (retryAfter > 0) response.putHeader("Retry-After", String.valueOf(retryAfter));
    return response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.VARY, VARY);
  }

  /** A failure of the whole request: one error envelope (a batch client hands it to every call). */
  private void writeWhole(RoutingContext rc, Throwable t) {
    HttpServerResponse response = rc.response();
    if (response.ended()) return;
    if (response.headWritten()) {
      response.reset();
      return;
    }
    JsonObject shape = shape(t, null, Set.of());
    JsonObject data = shape.getJsonObject("data");
    Object retryAfter = data.getValue("retryAfterSeconds");
    if (retryAfter != null) response.putHeader("Retry-After", String.valueOf(retryAfter));
    response.setStatusCode(data.getInteger("httpStatus"))
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.VARY, VARY)
        .end(new JsonObject().put("error", settings.transformer().output(shape, List.of())).encode());
  }

  private void failed(RoutingContext rc) {
    Throwable failure = rc.failure();
    if (failure == null) {
      int status = rc.statusCode();
      TrpcCode code = TrpcCode.ofStatus(status < 0 ? 500 : status);
      String message = code == TrpcCode.PAYLOAD_TOO_LARGE
          ? "body exceeds " + bodyLimitBytes + " bytes"
          : code.name().toLowerCase(Locale.ROOT).replace('_', ' ');
      failure = new TrpcException(code, message);
    }
    writeWhole(rc, failure);
  }

  /** Procedure paths, for diagnostics and tests. */
  Set<String> paths() {
    return procedures.all().stream().map(Procedure::path).collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
