package dev.systemtables.ops;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Start-up with no DATABASE_URL and no JWT variable: embedded PostgreSQL and dev mode")
class EmbeddedStartTest {

  @Test
  @DisplayName("The node becomes ready, its printed ADMIN token works, and data survives a restart")
  void embeddedDefaults(@TempDir Path dataDir) {
    Map<String, String> env = Map.of("DATABASE_URL", "", "JWT_SECRET", "", "DATA_DIR", dataDir.toString());
    try (TestApp first = TestApp.start(env)) {
      assertThat(first.get("/health/ready", null).status()).isEqualTo(200);
      String devToken = first.app().devToken();
      assertThat(devToken).isNotBlank();
      Resp me = first.get("/api/v1/me", devToken);
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.data().getString("role")).isEqualTo("ADMIN");
      assertThat(first.put("/api/v1/users/kept", devToken, "{\"role\":\"VIEWER\",\"email\":\"k@example.com\"}").status())
          .isEqualTo(200);
    }
    assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();
    try (TestApp second = TestApp.start(env)) {
      String devToken = second.app().devToken();
      // Upserting without an email would clear it; reading it back through an update of another field proves the row survived.
      Resp again = second.put("/api/v1/users/kept", devToken, "{\"role\":\"VIEWER\",\"email\":\"k@example.com\"}");
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.data().getString("createdAt")).isNotEqualTo(again.data().getString("updatedAt"));
    }
  }
}
