package io.tandem.app.ws;

import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.Broadcast;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * This node's topic actor of each document: the entity publishes through it and the node's
 * connections subscribe to it, so on one node a message goes straight from the entity to the
 * connections; the topic actors of other nodes get it through the cluster's receptionist.
 * One actor per document and node, never two: two would deliver twice.
 */
public final class DocTopics implements Function<String, ActorRef<Topic.Command<Broadcast>>> {

  private final ActorSystem<?> system;
  private final ConcurrentHashMap<String, ActorRef<Topic.Command<Broadcast>>> topics = new ConcurrentHashMap<>();

  public DocTopics(ActorSystem<?> system) {
    this.system = system;
  }

  @Override
  public ActorRef<Topic.Command<Broadcast>> apply(String docId) {
    return topics.computeIfAbsent(docId, id -> system.systemActorOf(
        Topic.create(Broadcast.class, DocumentEntity.topicName(id)), "topic-" + id, Props.empty()));
  }
}
