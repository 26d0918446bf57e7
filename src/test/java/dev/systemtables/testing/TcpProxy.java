package dev.systemtables.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder in front of PostgreSQL, so a test can make the database unreachable for
 * one node (connections reset, new ones refused) without touching the shared server, and bring it back.
 */
public final class TcpProxy implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final NetClient client = vertx.createNetClient();
  private final String targetHost;
  private final int targetPort;
  private int port;
  private NetServer server;

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    listen(0);
  }

  private void listen(int onPort) {
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
    server.listen(onPort, "127.0.0.1").await();
    port = server.actualPort();
  }

  public int port() {
    return port;
  }

  /** Refuses new connections and resets the open ones. */
  public void cut() {
    server.close().await();
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  /** Accepts connections again, on the same port. */
  public void restore() {
    listen(port);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
