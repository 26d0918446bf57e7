package dev.systemtables.testing;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 as bytes over a plain socket, for requests no HTTP client library would send: a missing or
 * folded {@code Host}, a request line naming {@code HTTP/2.0}, bare garbage. One request per connection;
 * the answer is read by {@code Content-Length}, chunked framing, or until the server closes.
 */
public final class RawHttp {

  private RawHttp() {
  }

  /** What came back: {@code status} -1 when the connection closed (or timed out) without any answer. */
  public record Answer(int status, List<String[]> headers, byte[] body, boolean closedByServer) {

    public String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) return h[1];
      }
      return null;
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonObject json() {
      return new JsonObject(text());
    }

    public boolean answered() {
      return status > 0;
    }

    @Override
    public String toString() {
      return status + " " + header("Content-Type") + " " + text();
    }
  }

  /** Sends {@code request} (ISO-8859-1 text, written as is) and reads one answer. */
  public static Answer send(int port, String request) {
    return send(port, request.getBytes(StandardCharsets.ISO_8859_1), 5_000);
  }

  /** Sends raw bytes and reads one answer, waiting at most {@code timeoutMillis} for each read. */
  public static Answer send(int port, byte[] request, int timeoutMillis) {
    boolean head = request.length >= 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(timeoutMillis);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // The server may answer and close before reading everything (e.g. a refused header): read what it said.
      }
      return read(socket.getInputStream(), head);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads one answer (skipping interim 1xx answers other than 101) from a stream. */
  public static Answer read(InputStream in, boolean head) throws IOException {
    while (true) {
      String head1;
      try {
        head1 = readHead(in);
      } catch (SocketTimeoutException e) {
        return new Answer(-1, List.of(), new byte[0], false);
      }
      if (head1 == null) return new Answer(-1, List.of(), new byte[0], true);
      String[] lines = head1.split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      int status = Integer.parseInt(statusLine[1]);
      List<String[]> headers = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
      }
      if (status >= 100 && status < 200 && status != 101) continue;
      Answer partial = new Answer(status, headers, new byte[0], false);
      if (head || status == 204 || status == 304 || status == 101) return partial;
      String length = partial.header("Content-Length");
      String encoding = partial.header("Transfer-Encoding");
      byte[] body;
      boolean closed = false;
      try {
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
          body = readChunked(in);
        } else if (length != null) {
          body = in.readNBytes(Integer.parseInt(length.trim()));
        } else {
          body = in.readAllBytes();
          closed = true;
        }
      } catch (SocketTimeoutException e) {
        body = new byte[0];
      }
      return new Answer(status, headers, body, closed);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
      out.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
          : b == '\r' ? 1 : 0;
    }
    String s = out.toString(StandardCharsets.ISO_8859_1);
    return s.substring(0, s.length() - 4);
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = readLine(in);
      if (size == null) return body.toByteArray();
      int semicolon = size.indexOf(';');
      int n = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
      if (n == 0) {
        while (true) {
          String trailer = readLine(in);
          if (trailer == null || trailer.isEmpty()) return body.toByteArray();
        }
      }
      body.writeBytes(in.readNBytes(n));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') break;
      if (b != '\r') out.write(b);
    }
    return b < 0 && out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
  }
}
