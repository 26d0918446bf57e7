package dev.systemtables.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client written against RFC 6455 and RFC 7692 over a plain socket, for what no client
 * library sends on purpose: fragments that add up past a limit, oversized frames, and permessage-deflate
 * messages crafted as compression bombs. It also inflates the server's compressed frames, so a test can
 * read pushes on a compressed socket.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int TEXT = 1;
  public static final int BINARY = 2;
  public static final int CONTINUATION = 0;
  public static final int CLOSE = 8;
  private static final byte[] DEFLATE_TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final boolean deflate;
  private final Inflater inflater = new Inflater(true);

  /** A frame from the server; {@code closeCode} is set for close frames (-1 without a status). */
  public record Frame(int opcode, boolean fin, byte[] payload, int closeCode) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private RawWebSocket(Socket socket, boolean deflate) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.deflate = deflate;
  }

  /** Opens {@code path} on 127.0.0.1:port, offering permessage-deflate when asked; fails unless the answer is 101. */
  public static RawWebSocket open(int port, String path, boolean offerDeflate) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + (offerDeflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "") + "\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    RawHttp.Answer answer = RawHttp.read(socket.getInputStream(), false);
    if (answer.status() != 101) {
      socket.close();
      throw new IOException("handshake answered " + answer);
    }
    String extensions = answer.header("Sec-WebSocket-Extensions");
    return new RawWebSocket(socket, extensions != null && extensions.contains("permessage-deflate"));
  }

  /** Whether the server accepted permessage-deflate. */
  public boolean deflate() {
    return deflate;
  }

  /** Sends one masked frame exactly as given. */
  public synchronized void frame(int opcode, boolean fin, boolean rsv1, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    int n = payload.length;
    if (n < 126) {
      f.write(0x80 | n);
    } else if (n < 65_536) {
      f.write(0x80 | 126);
      f.write(n >>> 8);
      f.write(n);
    } else {
      f.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) f.write((int) ((long) n >>> shift));
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    f.write(mask);
    byte[] masked = payload.clone();
    for (int i = 0; i < masked.length; i++) masked[i] ^= mask[i & 3];
    f.write(masked);
    out.write(f.toByteArray());
    out.flush();
  }

  /** Sends a text message in one uncompressed frame. */
  public void text(String message) throws IOException {
    frame(TEXT, true, false, message.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a text message in one permessage-deflate frame (RFC 7692 §7.2.1: the trailing 00 00 ff ff removed). */
  public void compressedText(byte[] message) throws IOException {
    frame(TEXT, true, true, compress(message));
  }

  /** {@code message} deflated the way a permessage-deflate sender does (own context, sync flush, tail removed). */
  public static byte[] compress(byte[] message) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(message);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    int n;
    do {
      n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
      out.write(buf, 0, n);
    } while (n == buf.length);
    d.end();
    byte[] all = out.toByteArray();
    return Arrays.copyOf(all, all.length - DEFLATE_TAIL.length);
  }

  /** The next whole message or control frame (fragments joined, compressed messages inflated); null at end of stream. */
  public Frame next(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    int opcode = -1;
    boolean compressed = false;
    while (true) {
      int b0 = in.read();
      if (b0 < 0) return null;
      int b1 = in.read();
      if (b1 < 0) return null;
      long len = b1 & 0x7f;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) len = (len << 8) | in.read();
      }
      byte[] payload = in.readNBytes((int) len);
      int op = b0 & 0x0f;
      boolean fin = (b0 & 0x80) != 0;
      if (op >= 8) {
        int code = op == CLOSE && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        return new Frame(op, true, payload, code);
      }
      if (op != CONTINUATION) {
        opcode = op;
        compressed = (b0 & 0x40) != 0;
      }
      message.write(payload);
      if (fin) {
        byte[] data = message.toByteArray();
        return new Frame(opcode, true, compressed ? inflate(data) : data, -1);
      }
    }
  }

  /** The close code the server sent (-1: closed without a close frame; 0: still open after the timeout). */
  public int awaitClose(int timeoutMillis) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return 0;
      Frame f;
      try {
        f = next((int) left);
      } catch (SocketTimeoutException e) {
        return 0;
      } catch (IOException e) {
        return -1;
      }
      if (f == null) return -1;
      if (f.opcode() == CLOSE) return f.closeCode();
    }
  }

  /** True when the server closed the TCP connection within the timeout. */
  public boolean awaitEndOfStream(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    try {
      while (in.read() >= 0) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private byte[] inflate(byte[] data) {
    inflater.setInput(concat(data, DEFLATE_TAIL));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = inflater.inflate(buf)) > 0) out.write(buf, 0, n);
    } catch (DataFormatException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // gone already
    }
    inflater.end();
  }
}
