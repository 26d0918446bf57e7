package dev.systemtables.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The methods the routers answer on a path, read from the routes themselves (sub-routers included), so
 * that {@code Allow} (and which paths answer {@code HEAD}) follow whatever routes the domains mount,
 * without a second list to keep in step. Routes without methods are filters (body reading, the origin check) and routes given as
 * a regular expression belong to the SockJS bridge, which answers its own OPTIONS; both are left out.
 */
final class RouteTable {

  /** RFC 9110 order, for a stable {@code Allow} header. */
  private static final List<HttpMethod> ORDER = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);

  private final Router root;

  RouteTable(Router root) {
    this.root = root;
  }

  /** The {@code Allow} value for a path (OPTIONS always included), or null when no route serves it. */
  String allow(String path) {
    Set<HttpMethod> methods = new TreeSet<>(Comparator.comparingInt(m -> {
      int i = ORDER.indexOf(m);
      return i < 0 ? ORDER.size() : i;
    }));
    collect(root, "", path, methods);
    if (methods.isEmpty()) return null;
    if (methods.contains(HttpMethod.GET)) methods.add(HttpMethod.HEAD);
    methods.add(HttpMethod.OPTIONS);
    return methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
  }

  private static void collect(Router router, String prefix, String path, Set<HttpMethod> into) {
    for (Route route : router.getRoutes()) {
      // A route with :params has both a path and a regex; one made from a regex alone has no path.
      String own = route.getPath();
      if (own == null) continue;
      String full = join(prefix, own);
      if (route.getSubRouter() != null) {
        if (path.startsWith(full)) collect(route.getSubRouter(), strip(full), path, into);
      } else if (route.methods() != null && !route.methods().isEmpty() && matches(full, route.isExactPath(), path)) {
        into.addAll(route.methods());
      }
    }
  }

  private static String join(String prefix, String path) {
    return prefix.isEmpty() ? path : prefix + (path.startsWith("/") ? path : "/" + path);
  }

  /** Without its trailing slash (vertx-web serves "/x/" like "/x"); "/" stays "/". */
  private static String strip(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** A route path with {@code :param} segments against a request path; a non-exact path matches as a prefix. */
  static boolean matches(String pattern, boolean exact, String path) {
    if (!exact) {
      // "/assets/*" is kept as the prefix "/assets/".
      return path.startsWith(pattern) || path.equals(strip(pattern));
    }
    String[] want = strip(pattern).split("/", -1);
    String[] got = strip(path).split("/", -1);
    if (want.length != got.length) return false;
    for (int i = 0; i < want.length; i++) {
      boolean ok = want[i].startsWith(":") ? !got[i].isEmpty() : want[i].equals(got[i]);
      if (!ok) return false;
    }
    return true;
  }
}
