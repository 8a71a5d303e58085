package dev.oomguard.spring.boot;

import dev.oomguard.executors.BoundedExecutorService;
import dev.oomguard.executors.BoundedExecutors;
import dev.oomguard.executors.OverflowPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnThreading;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;

/**
 * Boot's {@code applicationTaskExecutor} as a bounded pool (incident 3). Boot's own has a queue of
 * {@code Integer.MAX_VALUE} tasks. This runs before Boot's task execution configuration and, as
 * Boot does, stands back when the application defines an {@link Executor} of its own.
 *
 * <p>The bean has both names Boot's consumers look up: {@code applicationTaskExecutor} (MVC's async
 * support, Boot's {@code AsyncConfigurer}) and {@code taskExecutor} (Spring's {@code @Async} when
 * no single {@code TaskExecutor} is found). Without the second name, a bounded pool that makes Boot
 * back off leaves {@code @Async} on a {@code SimpleAsyncTaskExecutor}: a thread per task.
 */
@AutoConfiguration(before = TaskExecutionAutoConfiguration.class)
@ConditionalOnClass(BoundedExecutors.class)
@ConditionalOnBooleanProperty(name = "oomguard.task.execution.enabled", matchIfMissing = true)
@ConditionalOnThreading(Threading.PLATFORM)
// Boot registers its own applicationTaskExecutor whatever is there in "force" mode; two would
// clash.
@ConditionalOnProperty(
    name = "spring.task.execution.mode",
    havingValue = "auto",
    matchIfMissing = true)
@EnableConfigurationProperties({TaskExecutionGuardProperties.class, TaskExecutionProperties.class})
public final class TaskExecutionGuardAutoConfiguration {
  private static final Log LOG = LogFactory.getLog(TaskExecutionGuardAutoConfiguration.class);

  @Bean(name = {TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME, "taskExecutor"})
  @ConditionalOnMissingBean(Executor.class)
  BoundedAsyncTaskExecutor applicationTaskExecutor(
      TaskExecutionGuardProperties guard,
      TaskExecutionProperties boot,
      ObjectProvider<TaskDecorator> decorators,
      ObjectProvider<MeterRegistry> registry) {
    BoundedExecutors.Builder builder =
        BoundedExecutors.builder(poolName(boot.getThreadNamePrefix()))
            .threads(boot.getPool().getCoreSize())
            .queueCapacity(guard.getQueueCapacity())
            .overflow(overflow(guard))
            .closeTimeout(
                boot.getShutdown().isAwaitTermination()
                    ? boot.getShutdown().getAwaitTerminationPeriod() != null
                        ? boot.getShutdown().getAwaitTerminationPeriod()
                        : BoundedExecutors.DEFAULT_CLOSE_TIMEOUT
                    : Duration.ZERO)
            .highWaterMark(
                guard.getHighWaterMark(), TaskExecutionGuardAutoConfiguration::onHighWaterMark);
    if (guard.getMaxQueueWait() != null) {
      builder.maxQueueWait(guard.getMaxQueueWait());
    }
    MeterRegistry meters = registry.getIfUnique();
    if (meters != null) {
      builder.meterRegistry(meters);
    }
    BoundedAsyncTaskExecutor executor = new BoundedAsyncTaskExecutor(builder.build());
    List<TaskDecorator> all = decorators.orderedStream().toList();
    if (!all.isEmpty()) {
      executor.setTaskDecorator(all.size() == 1 ? all.get(0) : new CompositeTaskDecorator(all));
    }
    return executor;
  }

  @Bean
  static UnboundedExecutorWarning unboundedExecutorWarning() {
    return new UnboundedExecutorWarning();
  }

  /**
   * Boot's prefix {@code task-} gives threads {@code task-1}, {@code task-2}, ... as Boot's pool
   * has.
   */
  static String poolName(String threadNamePrefix) {
    String name =
        threadNamePrefix.endsWith("-")
            ? threadNamePrefix.substring(0, threadNamePrefix.length() - 1)
            : threadNamePrefix;
    return name.isBlank() ? "task" : name;
  }

  static OverflowPolicy overflow(TaskExecutionGuardProperties properties) {
    return switch (properties.getOverflow()) {
      case CALLER_RUNS -> OverflowPolicy.callerRuns();
      case REJECT -> OverflowPolicy.reject();
      case BLOCK -> OverflowPolicy.block(properties.getBlockWait());
      case DISCARD_OLDEST ->
          OverflowPolicy.discardOldest(new DiscardWarning("the oldest queued task"));
      case DISCARD_NEWEST ->
          OverflowPolicy.discardNewest(new DiscardWarning("the task being submitted"));
    };
  }

  private static void onHighWaterMark(BoundedExecutorService executor, boolean above) {
    if (above) {
      LOG.warn(
          "The queue of executor '"
              + executor.name()
              + "' reached its high-water mark: "
              + executor.queueSize()
              + " of "
              + executor.queueCapacity()
              + " tasks");
    } else {
      LOG.info(
          "The queue of executor '" + executor.name() + "' fell back below its high-water mark");
    }
  }

  /** One WARN at the first discard; each discard is counted in {@code executor.discarded}. */
  private static final class DiscardWarning implements java.util.function.Consumer<Runnable> {
    private final String which;
    private final AtomicBoolean warned = new AtomicBoolean();

    DiscardWarning(String which) {
      this.which = which;
    }

    @Override
    public void accept(Runnable task) {
      if (warned.compareAndSet(false, true)) {
        LOG.warn(
            "applicationTaskExecutor's queue is full: dropped "
                + which
                + " ("
                + task
                + ") and cancelled its "
                + "Future; further drops are counted in executor.discarded, not logged");
      }
    }
  }
}
