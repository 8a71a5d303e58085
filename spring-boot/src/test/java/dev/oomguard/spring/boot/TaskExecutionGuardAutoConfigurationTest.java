package dev.oomguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oomguard.executors.BoundedExecutorService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

@ExtendWith(OutputCaptureExtension.class)
class TaskExecutionGuardAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  TaskExecutionGuardAutoConfiguration.class, TaskExecutionAutoConfiguration.class));

  @Test
  void applicationTaskExecutor_byDefault_isOneBoundedPoolUnderBothNames() {
    runner.run(
        context -> {
          assertThat(context)
              .hasSingleBean(BoundedAsyncTaskExecutor.class)
              .doesNotHaveBean(ThreadPoolTaskExecutor.class);
          Object application = context.getBean("applicationTaskExecutor");
          assertThat(context.getBean("taskExecutor")).isSameAs(application);
          assertThat(context.getBean(AsyncTaskExecutor.class)).isSameAs(application);
          BoundedExecutorService pool = ((BoundedAsyncTaskExecutor) application).pool();
          assertThat(pool.queueCapacity()).isEqualTo(1000);
          assertThat(pool.name()).isEqualTo("task");
        });
  }

  @Test
  void applicationTaskExecutor_whenDisabled_isBoots() {
    runner
        .withPropertyValues("oomguard.task.execution.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(BoundedAsyncTaskExecutor.class);
              assertThat(context.getBean("applicationTaskExecutor"))
                  .isInstanceOf(ThreadPoolTaskExecutor.class);
            });
  }

  @Test
  void applicationTaskExecutor_whenTheApplicationHasAnExecutor_backsOffAsBootDoes() {
    runner
        .withUserConfiguration(UserExecutor.class)
        .run(
            context -> {
              assertThat(context)
                  .doesNotHaveBean(BoundedAsyncTaskExecutor.class)
                  .doesNotHaveBean("applicationTaskExecutor");
              assertThat(context).hasSingleBean(Executor.class);
            });
  }

  @Test
  void applicationTaskExecutor_inForceMode_leavesItToBoot() {
    runner
        .withPropertyValues("spring.task.execution.mode=force")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(BoundedAsyncTaskExecutor.class);
              assertThat(context.getBean("applicationTaskExecutor"))
                  .isInstanceOf(ThreadPoolTaskExecutor.class);
            });
  }

  /**
   * Boot turns virtual threads on from Java 21; below, the property changes nothing and the pool
   * stays.
   */
  @Test
  void applicationTaskExecutor_onVirtualThreads_leavesItToBoot() {
    boolean virtual = Runtime.version().feature() >= 21;
    runner
        .withPropertyValues("spring.threads.virtual.enabled=true")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBeansOfType(BoundedAsyncTaskExecutor.class))
                  .hasSize(virtual ? 0 : 1);
            });
  }

  @Test
  void applicationTaskExecutor_takesBootsThreadsPrefixAndShutdown_andOurQueue() {
    runner
        .withPropertyValues(
            "spring.task.execution.pool.core-size=3",
            "spring.task.execution.thread-name-prefix=work-",
            "oomguard.task.execution.queue-capacity=7")
        .run(
            context -> {
              BoundedExecutorService pool = context.getBean(BoundedAsyncTaskExecutor.class).pool();
              assertThat(pool.queueCapacity()).isEqualTo(7);
              assertThat(pool.name()).isEqualTo("work");
              String thread =
                  pool.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
              assertThat(thread).matches("work-[123]");
            });
  }

  @Test
  void applicationTaskExecutor_queueCapacityZero_failsNamingIt() {
    runner
        .withPropertyValues("oomguard.task.execution.queue-capacity=0")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining("queueCapacity")
                  .hasMessageContaining("0");
            });
  }

  @Test
  void applicationTaskExecutor_rejectOverflow_throwsSpringsTaskRejectedException() {
    runner
        .withPropertyValues(
            "spring.task.execution.pool.core-size=1",
            "oomguard.task.execution.queue-capacity=1",
            "oomguard.task.execution.overflow=reject")
        .run(
            context -> {
              AsyncTaskExecutor executor = context.getBean(AsyncTaskExecutor.class);
              CountDownLatch release = new CountDownLatch(1);
              CountDownLatch running = new CountDownLatch(1);
              Future<?> first =
                  executor.submit(
                      () -> {
                        running.countDown();
                        release.await();
                        return null;
                      });
              assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
              Future<?> queued = executor.submit(() -> null);
              assertThatThrownBy(() -> executor.submit(() -> null))
                  .isInstanceOf(TaskRejectedException.class)
                  .hasCauseInstanceOf(dev.oomguard.executors.TaskRejectedException.class);
              release.countDown();
              first.get(10, TimeUnit.SECONDS);
              queued.get(10, TimeUnit.SECONDS);
            });
  }

  @Test
  void applicationTaskExecutor_callerRunsByDefault_runsTheOverflowOnTheSubmitter() {
    runner
        .withPropertyValues(
            "spring.task.execution.pool.core-size=1", "oomguard.task.execution.queue-capacity=1")
        .run(
            context -> {
              AsyncTaskExecutor executor = context.getBean(AsyncTaskExecutor.class);
              CountDownLatch release = new CountDownLatch(1);
              CountDownLatch running = new CountDownLatch(1);
              executor.submit(
                  () -> {
                    running.countDown();
                    release.await();
                    return null;
                  });
              assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
              executor.submit(() -> null);
              String ranOn =
                  executor.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
              assertThat(ranOn).isEqualTo(Thread.currentThread().getName());
              release.countDown();
            });
  }

  @Test
  void applicationTaskExecutor_appliesTheTaskDecorator() {
    runner
        .withUserConfiguration(Decorator.class)
        .run(
            context -> {
              context.getBean(AsyncTaskExecutor.class).submit(() -> null).get(10, TimeUnit.SECONDS);
              assertThat(context.getBean(Decorator.class).decorated).hasValue(1);
            });
  }

  @Test
  void applicationTaskExecutor_bindsItsMetersToTheRegistry() {
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              context.getBean(AsyncTaskExecutor.class).submit(() -> null).get(10, TimeUnit.SECONDS);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(
                      registry.get("executor.queue.remaining").tag("name", "task").gauge().value())
                  .isEqualTo(1000);
              await()
                  .atMost(10, TimeUnit.SECONDS)
                  .untilAsserted(
                      () ->
                          assertThat(
                                  registry
                                      .get("executor.completed")
                                      .tag("name", "task")
                                      .functionCounter()
                                      .count())
                              .isEqualTo(1));
            });
  }

  @Test
  void applicationTaskExecutor_contextClosed_shutsThePoolDownAndCancelsWhatWasQueued() {
    BoundedExecutorService[] pool = new BoundedExecutorService[1];
    Future<?>[] queued = new Future<?>[1];
    CountDownLatch running = new CountDownLatch(1);
    runner
        .withPropertyValues("spring.task.execution.pool.core-size=1")
        .run(
            context -> {
              AsyncTaskExecutor executor = context.getBean(AsyncTaskExecutor.class);
              pool[0] = context.getBean(BoundedAsyncTaskExecutor.class).pool();
              executor.submit(
                  () -> {
                    running.countDown();
                    new CountDownLatch(1).await(); // until interrupted by the close
                    return null;
                  });
              assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
              queued[0] = executor.submit(() -> null);
            });
    assertThat(pool[0].isShutdown()).isTrue();
    assertThat(queued[0].isCancelled()).isTrue();
  }

  @Test
  void async_withASchedulerBesideIt_stillRunsOnTheBoundedPool() {
    runner
        .withConfiguration(AutoConfigurations.of(TaskSchedulingAutoConfiguration.class))
        .withUserConfiguration(AsyncApp.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(ThreadPoolTaskScheduler.class);
              assertThat(context.getBeansOfType(TaskExecutor.class)).hasSizeGreaterThan(1);
              String thread =
                  context.getBean(AsyncService.class).threadName().get(10, TimeUnit.SECONDS);
              assertThat(thread).matches("task-\\d+");
            });
  }

  @Test
  void unboundedExecutorWarning_namesEveryExecutorBeanWithAnUnboundedQueue(CapturedOutput output) {
    runner
        .withUserConfiguration(UnboundedExecutors.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(output)
                  .contains("Executor beans with an unbounded queue")
                  .contains(
                      "'springDefault' (ThreadPoolTaskExecutor, queueCapacity Integer.MAX_VALUE)")
                  .contains("'jdkFixed' (ThreadPoolExecutor over an unbounded LinkedBlockingQueue)")
                  .doesNotContain("'bounded'")
                  .doesNotContain("'scheduler'");
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserExecutor {
    @Bean
    Executor myExecutor() {
      return Executors.newSingleThreadExecutor();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Decorator implements TaskDecorator {
    final AtomicInteger decorated = new AtomicInteger();

    @Override
    public Runnable decorate(Runnable runnable) {
      decorated.incrementAndGet();
      return runnable;
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAsync
  @EnableScheduling
  static class AsyncApp {
    @Bean
    AsyncService asyncService() {
      return new AsyncService();
    }
  }

  static class AsyncService {
    @Async
    public CompletableFuture<String> threadName() {
      return CompletableFuture.completedFuture(Thread.currentThread().getName());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UnboundedExecutors {
    @Bean
    ThreadPoolTaskExecutor springDefault() {
      return new ThreadPoolTaskExecutor();
    }

    @Bean(destroyMethod = "shutdownNow")
    java.util.concurrent.ExecutorService jdkFixed() {
      return Executors.newFixedThreadPool(1);
    }

    @Bean
    ThreadPoolTaskExecutor bounded() {
      ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
      executor.setQueueCapacity(10);
      return executor;
    }

    @Bean
    ThreadPoolTaskScheduler scheduler() {
      return new ThreadPoolTaskScheduler();
    }
  }
}
