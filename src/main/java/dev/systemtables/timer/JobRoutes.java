package dev.systemtables.timer;

import dev.systemtables.common.Bus;
import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import dev.systemtables.http.Request;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/** HTTP adapter of the timer (ADMIN): {@code GET /jobs} and {@code POST /jobs/{name}/run}. */
public final class JobRoutes {

  private final Vertx vertx;

  public JobRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  public void mount(Api api) {
    api.route(HttpMethod.GET, "/jobs", Access.ADMIN, this::list);
    api.route(HttpMethod.POST, "/jobs/:name/run", Access.ADMIN, this::run);
  }

  private Future<Reply> list(Request req) {
    return Bus.<JsonObject>request(vertx, JobsContract.LIST, new JsonObject())
        .map(body -> Reply.ok(body.getJsonArray("jobs")));
  }

  // 202: the slot is claimed when this answers; the run goes on and shows up in GET /jobs.
  private Future<Reply> run(Request req) {
    return Bus.<JsonObject>request(vertx, JobsContract.RUN, new JsonObject().put("name", req.pathParam("name")))
        .map(Reply::accepted);
  }
}
