package dev.oomguard.spring.boot;

import dev.oomguard.compression.GzipCodec;
import dev.oomguard.compression.spring.GzipRedisSerializer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * Gzips the values and hash values of Boot's auto-configured {@code redisTemplate}, before it is
 * initialised; its keys stay as they are, so that they can still be matched and scanned. A template
 * the application defines itself is left alone (it chose its serializers), and so is the {@link
 * StringRedisTemplate}: its values are read and changed in place by APPEND, GETRANGE, INCR and
 * scripts, which gzip would break, and by other clients that expect text.
 */
final class GzipRedisTemplatePostProcessor
    implements BeanPostProcessor, BeanFactoryAware, BeanClassLoaderAware {
  private final ObjectProvider<GzipCodec> codec;
  private final ObjectProvider<RedisGzipProperties> properties;
  private @Nullable ConfigurableListableBeanFactory beanFactory;
  private @Nullable ClassLoader classLoader;

  GzipRedisTemplatePostProcessor(
      ObjectProvider<GzipCodec> codec, ObjectProvider<RedisGzipProperties> properties) {
    this.codec = codec;
    this.properties = properties;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
    this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
  }

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName)
      throws BeansException {
    if (bean instanceof RedisTemplate<?, ?> template
        && !(bean instanceof StringRedisTemplate)
        && isBoots(beanName)
        && properties.getObject().isRedisTemplate()) {
      RedisSerializer<Object> values = gzip(template.getValueSerializer());
      RedisSerializer<Object> hashValues = gzip(template.getHashValueSerializer());
      template.setValueSerializer(values);
      template.setHashValueSerializer(hashValues);
    }
    return bean;
  }

  private boolean isBoots(String beanName) {
    ConfigurableListableBeanFactory factory = beanFactory;
    if (factory == null || !factory.containsBeanDefinition(beanName)) {
      return false;
    }
    BeanDefinition definition = factory.getMergedBeanDefinition(beanName);
    return DataRedisAutoConfiguration.class.getName().equals(definition.getFactoryBeanName());
  }

  @SuppressWarnings("unchecked")
  private RedisSerializer<Object> gzip(@Nullable RedisSerializer<?> delegate) {
    // Unset until afterPropertiesSet, which would put JDK serialization there: do it first.
    RedisSerializer<Object> inner =
        delegate != null ? (RedisSerializer<Object>) delegate : RedisSerializer.java(classLoader);
    return GzipRedisSerializer.builder(inner)
        .codec(codec.getObject())
        .minCompressBytes(Math.toIntExact(properties.getObject().getMinCompressSize().toBytes()))
        .build();
  }
}
