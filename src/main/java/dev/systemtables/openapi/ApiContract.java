package dev.systemtables.openapi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The REST contract, {@code openapi/openapi.yaml} on the class path: its text as written (served at
 * {@code /openapi.yaml}), the same document as JSON (served at {@code /openapi.json}), and the
 * vertx-openapi {@link OpenAPIContract} that requests are validated against.
 */
public final class ApiContract {

  public static final String RESOURCE = "openapi/openapi.yaml";

  /** Methods an OpenAPI path item may hold, in the order they are listed. */
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final String PROBLEM_JSON = "application/problem+json";

  private static ApiContract loaded;
  private static OpenAPIContract validated;
  private static Future<OpenAPIContract> loading;

  private final String yaml;
  private final JsonObject document;
  private final Map<String, String> operationIds;
  private String json;

  private ApiContract(String yaml) {
    this.yaml = yaml;
    this.document = (JsonObject) json(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml));
    Map<String, String> ops = new LinkedHashMap<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : METHODS) {
        JsonObject op = item.getJsonObject(method);
        if (op != null) ops.put(key(HttpMethod.valueOf(method.toUpperCase()), path), op.getString("operationId"));
      }
    }
    this.operationIds = Map.copyOf(ops);
  }

  /**
   * The contract on the class path, read once per JVM (it never changes while the jar runs). The first
   * call parses the file: make it off the event loop.
   */
  public static synchronized ApiContract get() {
    ApiContract c = loaded;
    if (c == null) {
      try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the class path");
        c = new ApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      loaded = c;
    }
    return c;
  }

  /** The file as written. */
  public String yaml() {
    return yaml;
  }

  /** The same document as JSON; a copy, free to change. */
  public JsonObject document() {
    return document.copy();
  }

  /** Every operation as {@code "METHOD /path/{param}"} → operationId. */
  public Map<String, String> operations() {
    return operationIds;
  }

  /** The operationId of a method and contract path template ({@code /api/v1/flags/{id}}), or null. */
  public String operationId(HttpMethod method, String path) {
    return operationIds.get(key(method, path));
  }

  /** The operation object of an operationId, straight from the document (null when unknown). */
  JsonObject operation(String operationId) {
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : METHODS) {
        JsonObject op = paths.getJsonObject(path).getJsonObject(method);
        if (op != null && operationId.equals(op.getString("operationId"))) return op;
      }
    }
    return null;
  }

  /**
   * The schema of a parameter of an operation (declared on the operation or on its path), null when the
   * operation has no such parameter.
   */
  JsonObject parameterSchema(String operationId, String in, String name) {
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : METHODS) {
        JsonObject op = item.getJsonObject(method);
        if (op == null || !operationId.equals(op.getString("operationId"))) continue;
        List<Object> params = new ArrayList<>(item.getJsonArray("parameters", new JsonArray()).getList());
        params.addAll(op.getJsonArray("parameters", new JsonArray()).getList());
        for (Object p : params) {
          JsonObject param = p instanceof Map<?, ?> m ? new JsonObject(castMap(m)) : (JsonObject) p;
          if (param.containsKey("$ref")) param = resolve(param.getString("$ref"));
          if (in.equals(param.getString("in")) && name.equalsIgnoreCase(param.getString("name"))) {
            return param.getJsonObject("schema");
          }
        }
      }
    }
    return null;
  }

  /** The schema of an operation's JSON request body, null when it takes none. */
  JsonObject bodySchema(String operationId) {
    JsonObject body = operation(operationId).getJsonObject("requestBody");
    if (body == null) return null;
    if (body.containsKey("$ref")) body = resolve(body.getString("$ref"));
    JsonObject media = body.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
    return media == null ? null : media.getJsonObject("schema");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /** Resolves a local {@code $ref} ({@code #/components/...}) against the document. */
  JsonObject resolve(String ref) {
    Object node = pointer(document, ref.startsWith("#") ? ref.substring(1) : ref);
    return node instanceof JsonObject o ? o : null;
  }

  /**
   * The contract as vertx-openapi validates it, loaded once per JVM: checking the document against the
   * OpenAPI 3.1 meta-schema takes a second or more, and the result depends only on the file.
   */
  public static synchronized Future<OpenAPIContract> validated(Vertx vertx) {
    // The loaded value is shared, never a loaded future: a future reports to the context (and the Vert.x)
    // that made it, which may be closed by the time another node asks (tests run several in one JVM).
    if (validated != null) return Future.succeededFuture(validated);
    if (loading == null) {
      // from() writes bookkeeping into the object it is given: hand it a copy.
      loading = vertx.executeBlocking(ApiContract::get)
          .compose(c -> OpenAPIContract.from(vertx, forVertxOpenApi(c.document.copy())))
          .andThen(ar -> loaded(ar.succeeded() ? ar.result() : null));
    }
    return loading;
  }

  private static synchronized void loaded(OpenAPIContract contract) {
    validated = contract;
    loading = null;
  }

  /** The document as indented JSON text, made once. */
  public synchronized String json() {
    if (json == null) json = document.encodePrettily();
    return json;
  }

  /**
   * vertx-openapi 5.0.7 refuses to load a contract naming a media type outside its fixed list, and
   * {@code application/problem+json} is not on it (a registry for more arrives in 5.1). The copy it loads
   * reads problem bodies as {@code application/json}; their schema is the same.
   */
  static JsonObject forVertxOpenApi(JsonObject doc) {
    renameProblemMediaType(doc, null);
    return doc;
  }

  private static void renameProblemMediaType(Object node, String parentKey) {
    if (node instanceof JsonObject o) {
      if ("content".equals(parentKey) && o.containsKey(PROBLEM_JSON)) {
        o.put("application/json", o.remove(PROBLEM_JSON));
      }
      for (String k : new ArrayList<>(o.fieldNames())) renameProblemMediaType(o.getValue(k), k);
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> renameProblemMediaType(v, null));
    }
  }

  /** The media types the contract declares for a response (status, else {@code default}); empty when none. */
  public Set<String> responseMediaTypes(String operationId, int status) {
    JsonObject responses = operation(operationId).getJsonObject("responses");
    JsonObject response = responses.getJsonObject(String.valueOf(status), responses.getJsonObject("default"));
    if (response == null) return Set.of();
    if (response.containsKey("$ref")) response = resolve(response.getString("$ref"));
    JsonObject content = response.getJsonObject("content");
    return content == null ? Set.of() : content.fieldNames();
  }

  static Object pointer(Object node, String pointer) {
    if (pointer.isEmpty() || pointer.equals("/")) return node;
    for (String raw : pointer.substring(1).split("/", -1)) {
      String seg = raw.replace("~1", "/").replace("~0", "~");
      if (node instanceof JsonObject o) {
        node = o.getValue(seg);
      } else if (node instanceof JsonArray a) {
        try {
          node = a.getValue(Integer.parseInt(seg));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
          return null;
        }
      } else {
        return null;
      }
    }
    return node;
  }

  private static String key(HttpMethod method, String path) {
    return method.name() + " " + path;
  }

  /** YAML as JSON: mappings become objects with string keys (YAML reads {@code 200:} as a number). */
  private static Object json(Object yaml) {
    if (yaml instanceof Map<?, ?> m) {
      JsonObject o = new JsonObject();
      m.forEach((k, v) -> o.put(String.valueOf(k), json(v)));
      return o;
    }
    if (yaml instanceof List<?> l) {
      JsonArray a = new JsonArray();
      l.forEach(v -> a.add(json(v)));
      return a;
    }
    return yaml;
  }
}
