package dev.systemtables.timer;

import dev.systemtables.http.Access;
import dev.systemtables.http.Api;
import dev.systemtables.http.Reply;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** HTTP adapter of the timer (ADMIN): {@code GET /jobs} and {@code POST /jobs/{name}/run}. */
public final class JobRoutes {

  private final JobService jobs;

  public JobRoutes(JobService jobs) {
    this.jobs = jobs;
  }

  public void mount(Api api) {
    api.route(HttpMethod.GET, "/jobs", Access.ADMIN, req -> jobs.list().map(list -> {
      JsonArray out = new JsonArray();
      list.forEach(j -> out.add(j.toJson()));
      return Reply.ok(out);
    }));
    // 202: the slot is claimed when this answers; the run goes on and shows up in GET /jobs.
    api.route(HttpMethod.POST, "/jobs/:name/run", Access.ADMIN, req -> jobs.runNow(req.pathParam("name"))
        .map(run -> Reply.accepted(new JsonObject().put("name", req.pathParam("name")).put("runId", run.id())
            .put("scheduledFor", run.scheduledFor().toString()).put("status", run.status()))));
  }
}
