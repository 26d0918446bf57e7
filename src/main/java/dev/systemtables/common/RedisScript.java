package dev.systemtables.common;

import com.google.common.hash.Hashing;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Lua script called by its SHA-1 ({@code EVALSHA}), so the text crosses the wire once per Redis
 * process, not once per call; a Redis that does not know it (restarted, flushed) gets the text again.
 */
public final class RedisScript {

  private final String text;
  private final String sha;

  public RedisScript(String text) {
    this.text = text;
    this.sha = Hashing.sha1().hashString(text, StandardCharsets.UTF_8).toString();
  }

  /** One call: its keys and arguments. */
  public record Call(List<String> keys, List<Object> args) {
  }

  public Future<Response> send(Redis redis, List<String> keys, Object... args) {
    Call call = new Call(keys, List.of(args));
    return redis.send(request(Command.EVALSHA, sha, call))
        .recover(t -> unknown(t) ? redis.send(request(Command.EVAL, text, call)) : Future.failedFuture(t));
  }

  /** Several calls in one pipelined round. */
  public Future<List<Response>> batch(Redis redis, List<Call> calls) {
    return redis.batch(requests(Command.EVALSHA, sha, calls))
        .recover(t -> unknown(t) ? redis.batch(requests(Command.EVAL, text, calls)) : Future.failedFuture(t));
  }

  private static List<Request> requests(Command command, String script, List<Call> calls) {
    List<Request> out = new ArrayList<>(calls.size());
    for (Call c : calls) out.add(request(command, script, c));
    return out;
  }

  private static Request request(Command command, String script, Call call) {
    Request r = Request.cmd(command).arg(script).arg(call.keys().size());
    call.keys().forEach(r::arg);
    for (Object a : call.args()) r.arg(String.valueOf(a));
    return r;
  }

  private static boolean unknown(Throwable t) {
    return t.getMessage() != null && t.getMessage().contains("NOSCRIPT");
  }
}
