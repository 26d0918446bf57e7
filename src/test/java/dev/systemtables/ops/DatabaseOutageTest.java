package dev.systemtables.ops;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TcpProxy;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("PostgreSQL unreachable: 503 with Retry-After quickly, and nothing acknowledged is lost")
class DatabaseOutageTest {

  @Test
  @DisplayName("While the database is cut off, calls that need it get 503 + Retry-After within 2 s; afterwards the data is there")
  void outage() {
    String dbUrl = TestDatabases.freshDatabase();
    URI u = URI.create(dbUrl);
    TcpProxy relay = new TcpProxy(u.getHost(), u.getPort() < 0 ? 5432 : u.getPort());
    String viaRelay = dbUrl.replace(u.getHost() + ":" + (u.getPort() < 0 ? 5432 : u.getPort()), "127.0.0.1:" + relay.port());
    try (TestApp app = TestApp.start(Map.of("DATABASE_URL", viaRelay))) {
      String admin = app.token("admin-o", "ADMIN");
      assertThat(app.put("/api/v1/users/before-outage", admin, "{\"role\":\"VIEWER\"}").status()).isEqualTo(200);

      relay.cut();
      long started = System.nanoTime();
      Resp during = app.put("/api/v1/users/during-outage", admin, "{\"role\":\"VIEWER\"}");
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(during.status()).as(during.toString()).isEqualTo(503);
      assertThat(during.json().getString("code")).isEqualTo("UNAVAILABLE");
      assertThat(during.header("Retry-After")).isNotBlank();
      assertThat(millis).as("answered instead of hanging").isLessThan(2_000);
      assertThat(app.get("/health/ready", null).status()).isEqualTo(503);
      // The token alone answers /me: it does not need the database.
      assertThat(app.get("/api/v1/me", admin).status()).isEqualTo(200);

      relay.restore();
      Resp after = app.put("/api/v1/users/before-outage", admin, "{\"role\":\"CREATOR\"}");
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.data().getString("createdAt")).isNotEqualTo(after.data().getString("updatedAt"));
      assertThat(app.get("/health/ready", null).status()).isEqualTo(200);
    } finally {
      relay.close();
    }
  }
}
