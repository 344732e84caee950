package io.tandem.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one error vocabulary of REST and WebSocket (PROTOCOL.md, "Error codes"): each code's wire
 * name, the HTTP status a REST answer carries, the WebSocket close code when the error ends the
 * session (0 when it does not), and whose fault it is.
 */
public enum ErrorCode {
  UNAUTHORIZED("unauthorized", 401, 0, Fault.CLIENT),
  FORBIDDEN("forbidden", 403, 4403, Fault.CLIENT),
  NOT_FOUND("not_found", 404, 4404, Fault.CLIENT),
  INVALID_OP("invalid_op", 400, 0, Fault.CLIENT),
  INVALID_MESSAGE("invalid_message", 400, 0, Fault.CLIENT),
  TOO_LARGE("too_large", 413, 1009, Fault.CLIENT),
  VERSION_AHEAD("version_ahead", 409, 0, Fault.CLIENT),
  RATE_LIMITED("rate_limited", 429, 4429, Fault.CLIENT),
  RESYNC("resync", 409, 0, Fault.CLIENT),
  /** An extension for REST: the request conflicts with what exists (a taken username). */
  CONFLICT("conflict", 409, 0, Fault.CLIENT),
  INTERNAL("internal", 500, 1011, Fault.SERVER);

  /** Whose fault: a client's mistakes are logged at DEBUG, the server's at ERROR. */
  public enum Fault { CLIENT, SERVER }

  private static final Map<String, ErrorCode> BY_WIRE =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ErrorCode::wire, Function.identity()));

  private final String wire;
  private final int httpStatus;
  private final int closeCode;
  private final Fault fault;

  ErrorCode(String wire, int httpStatus, int closeCode, Fault fault) {
    this.wire = wire;
    this.httpStatus = httpStatus;
    this.closeCode = closeCode;
    this.fault = fault;
  }

  public String wire() {
    return wire;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The WebSocket close code when this error ends a session, or 0. */
  public int closeCode() {
    return closeCode;
  }

  public Fault fault() {
    return fault;
  }

  /** The code of a wire name, or null. */
  public static ErrorCode fromWire(String wire) {
    return BY_WIRE.get(wire);
  }
}
