package dev.systemtables.flags;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder in front of PostgreSQL, so a test can make the database unreachable for
 * one node (connections reset, new ones refused) without touching the shared server.
 */
final class TcpProxy implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final NetServer server;

  TcpProxy(String targetHost, int targetPort) {
    var client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(down -> {
      down.pause();
      sockets.add(down);
      client.connect(targetPort, targetHost).onComplete(ar -> {
        if (ar.failed()) {
          down.close();
          return;
        }
        NetSocket up = ar.result();
        sockets.add(up);
        down.pipeTo(up);
        up.pipeTo(down);
        down.resume();
      });
    });
    server.listen(0, "127.0.0.1").await();
  }

  int port() {
    return server.actualPort();
  }

  /** Refuses new connections and resets the open ones. */
  void cut() {
    server.close().await();
    sockets.forEach(NetSocket::close);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
