package dev.oomguard.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Binds the guard to the registry Boot's code records through: the only {@link MeterRegistry} bean,
 * or the primary one (Boot's composite, when there are several registries). Never to the
 * composite's children as well, which is what a {@code MeterRegistryCustomizer} would do.
 *
 * <p>It is not {@code Ordered} on purpose, and is registered after Boot's metrics configuration:
 * Spring runs unordered post-processors in registration order, so Boot's filters (common tags,
 * per-meter distribution settings) are on the registry before the guard, which must be its last
 * filter to see the ids that are registered.
 */
final class CardinalityGuardPostProcessor implements BeanPostProcessor, BeanFactoryAware {
  private static final Log LOG = LogFactory.getLog(CardinalityGuardPostProcessor.class);

  private final ObjectProvider<CardinalityGuardBinding> binding;
  private @Nullable ConfigurableListableBeanFactory beanFactory;
  private volatile @Nullable String target;

  CardinalityGuardPostProcessor(ObjectProvider<CardinalityGuardBinding> binding) {
    this.binding = binding;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
    this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
    if (bean instanceof MeterRegistry registry && beanName.equals(target())) {
      binding.getObject().bindTo(registry);
    }
    return bean;
  }

  private @Nullable String target() {
    String name = target;
    if (name == null && beanFactory != null) {
      name = target = recordingRegistry(beanFactory);
    }
    return name;
  }

  private static @Nullable String recordingRegistry(ConfigurableListableBeanFactory factory) {
    String[] names = factory.getBeanNamesForType(MeterRegistry.class, true, false);
    if (names.length == 1) {
      return names[0];
    }
    List<String> primary =
        Arrays.stream(names)
            .filter(
                name ->
                    factory.containsBeanDefinition(name)
                        && factory.getMergedBeanDefinition(name).isPrimary())
            .toList();
    if (primary.size() == 1) {
      return primary.get(0);
    }
    if (names.length > 1) {
      LOG.warn(
          "No CardinalityGuard bound: "
              + names.length
              + " MeterRegistry beans "
              + Arrays.toString(names)
              + " and no single primary one; bind a guard to the registry your code records through");
    }
    return "";
  }
}
