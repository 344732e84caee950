package io.tandem.persistence;

/**
 * Marks what crosses the cluster or goes to the journal: commands, replies, events and state,
 * serialized as CBOR by Jackson (bound in this module's reference.conf).
 */
public interface CborSerializable {}
