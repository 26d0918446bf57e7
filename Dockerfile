# syntax=docker/dockerfile:1
# Build stage: the same Maven build as everywhere else, producing target/system-tables.jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY conf conf
COPY src src
RUN mvn -q -B package -DskipTests

# Runtime stage: a JRE 17 running the jar as a non-root user.
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system app && useradd --system --gid app --home-dir /app app \
    && mkdir -p /app/data && chown -R app:app /app
WORKDIR /app
COPY --from=build /src/target/system-tables.jar /app/system-tables.jar
COPY --from=build /src/conf /app/conf
USER app
ENV DATA_DIR=/app/data
# 8080: REST, event-bus bridge, bell page. 5701: Hazelcast, when CLUSTER_ENABLED=true.
EXPOSE 8080 5701
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:${HTTP_PORT:-8080}/health/live || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/system-tables.jar"]
