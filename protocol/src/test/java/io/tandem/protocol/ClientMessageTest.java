package io.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.ot.Delta;
import org.junit.jupiter.api.Test;

class ClientMessageTest {

  private static ClientMessage.Invalid refused(String text) {
    return assertThrows(ClientMessage.Invalid.class, () -> ClientMessage.parse(text), text);
  }

  @Test
  void readsEachMessageWhateverTheFieldOrder() throws Exception {
    var op = assertInstanceOf(ClientMessage.Op.class,
        ClientMessage.parse("{\"ops\":[{\"insert\":\"hi\"}],\"baseVersion\":3,\"seq\":7,\"type\":\"op\",\"extra\":{\"x\":[1]}}"));
    assertEquals(7, op.seq());
    assertEquals(3, op.baseVersion());
    assertEquals(Delta.insert("hi"), op.ops());
    var p = assertInstanceOf(ClientMessage.Presence.class,
        ClientMessage.parse("{\"type\":\"presence\",\"selection\":{\"index\":2,\"length\":0},\"baseVersion\":1}"));
    assertEquals(new ClientMessage.Selection(2, 0), p.selection());
    assertNull(((ClientMessage.Presence) ClientMessage.parse("{\"type\":\"presence\",\"selection\":null,\"baseVersion\":0}"))
        .selection());
    assertInstanceOf(ClientMessage.Ping.class, ClientMessage.parse("{\"type\":\"ping\"}"));
  }

  @Test
  void refusesWithTheProtocolsCodeAndTheSeqWhenKnown() {
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("nope").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("[]").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"ping\"} {}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"seq\":1}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"jump\"}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"op\",\"seq\":0,\"baseVersion\":0,\"ops\":[]}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"op\",\"seq\":1.5,\"baseVersion\":0,\"ops\":[]}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"op\",\"seq\":1,\"baseVersion\":-1,\"ops\":[]}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"op\",\"seq\":1,\"baseVersion\":99999999999999999999,\"ops\":[]}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"op\",\"seq\":1,\"baseVersion\":0}").code());
    var bad = refused("{\"type\":\"op\",\"ops\":[{\"retain\":0}],\"seq\":4,\"baseVersion\":0}");
    assertEquals(ErrorCode.INVALID_OP, bad.code());
    assertEquals(4L, bad.seq(), "seq read even when it follows the bad op");
    assertEquals(ErrorCode.INVALID_OP, refused("{\"type\":\"op\",\"seq\":2,\"baseVersion\":0,\"ops\":[{\"insert\":\"\\ud800\"}]}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"type\":\"presence\",\"baseVersion\":0}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE,
        refused("{\"type\":\"presence\",\"selection\":{\"index\":-1,\"length\":0},\"baseVersion\":0}").code());
    assertEquals(ErrorCode.INVALID_MESSAGE, refused("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}").code());
  }
}
