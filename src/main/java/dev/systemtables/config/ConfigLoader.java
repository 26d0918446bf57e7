package dev.systemtables.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/** Reads {@code conf/config.yaml} (file beside the process, else the copy in the jar) and the environment. */
public final class ConfigLoader {

  private ConfigLoader() {
  }

  /** The merged YAML tree; the environment is applied by {@link AppConfig#from}. */
  public static Future<AppConfig> load(Vertx vertx, String path) {
    ConfigStoreOptions yaml = new ConfigStoreOptions()
        .setType("file").setFormat("yaml").setOptional(true)
        .setConfig(new JsonObject().put("path", path));
    // Only the contract's variables: the env store would otherwise pull in the whole environment.
    ConfigStoreOptions env = new ConfigStoreOptions()
        .setType("env")
        .setConfig(new JsonObject().put("keys", new JsonArray(AppConfig.ENV_KEYS)).put("raw-data", true));
    ConfigRetriever yamlRetriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setIncludeDefaultStores(false).addStore(yaml));
    ConfigRetriever envRetriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setIncludeDefaultStores(false).addStore(env));
    return yamlRetriever.getConfig().compose(tree -> envRetriever.getConfig().map(envJson -> {
      Map<String, String> vars = new HashMap<>();
      envJson.forEach(e -> vars.put(e.getKey(), String.valueOf(e.getValue())));
      return AppConfig.from(tree, vars);
    })).onComplete(ar -> {
      yamlRetriever.close();
      envRetriever.close();
    });
  }
}
