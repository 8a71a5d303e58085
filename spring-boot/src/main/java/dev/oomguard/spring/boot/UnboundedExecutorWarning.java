package dev.oomguard.spring.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.scheduling.concurrent.ConcurrentTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Names, in one WARN at start-up, every executor bean whose queue has no bound: a {@link
 * ThreadPoolExecutor} over an unbounded queue, a {@link ThreadPoolTaskExecutor} with Boot's and
 * Spring's default capacity of {@code Integer.MAX_VALUE}. Schedulers are left out: their queue
 * holds scheduled tasks by design. Only beans already created are looked at; lazy ones are not
 * created for it.
 */
final class UnboundedExecutorWarning implements SmartInitializingSingleton, BeanFactoryAware {
  private static final Log LOG = LogFactory.getLog(UnboundedExecutorWarning.class);

  private @Nullable ConfigurableListableBeanFactory beanFactory;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
    this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
  }

  @Override
  public void afterSingletonsInstantiated() {
    List<String> unbounded = unboundedExecutors();
    if (!unbounded.isEmpty()) {
      LOG.warn(
          "Executor beans with an unbounded queue, which grows until the heap is gone when tasks come faster "
              + "than they finish: "
              + String.join(", ", unbounded)
              + ". Give each a queue capacity "
              + "(ThreadPoolTaskExecutor.setQueueCapacity) or build it with BoundedExecutors.");
    }
  }

  List<String> unboundedExecutors() {
    ConfigurableListableBeanFactory factory = beanFactory;
    List<String> found = new ArrayList<>();
    if (factory == null) {
      return found;
    }
    for (String name : factory.getBeanNamesForType(Executor.class, false, false)) {
      if (!factory.containsSingleton(name)) {
        continue;
      }
      String why = unboundedQueue(factory.getSingleton(name));
      if (why != null) {
        found.add("'" + name + "' (" + why + ")");
      }
    }
    return found;
  }

  static @Nullable String unboundedQueue(@Nullable Object executor) {
    if (executor instanceof ThreadPoolTaskScheduler
        || executor instanceof ScheduledThreadPoolExecutor) {
      return null;
    }
    if (executor instanceof ThreadPoolTaskExecutor spring) {
      return spring.getQueueCapacity() == Integer.MAX_VALUE
          ? "ThreadPoolTaskExecutor, queueCapacity Integer.MAX_VALUE"
          : null;
    }
    if (executor instanceof ThreadPoolExecutor jdk) {
      BlockingQueue<Runnable> queue = jdk.getQueue();
      return queue.remainingCapacity() == Integer.MAX_VALUE
          ? "ThreadPoolExecutor over an unbounded " + queue.getClass().getSimpleName()
          : null;
    }
    if (executor instanceof ConcurrentTaskExecutor adapter) {
      return unboundedQueue(adapter.getConcurrentExecutor());
    }
    return null;
  }
}
