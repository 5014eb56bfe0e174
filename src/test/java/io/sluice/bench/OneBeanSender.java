package io.sluice.bench;

import io.sluice.dispatch.Dispatch;
import io.sluice.dispatch.Recipient;
import io.sluice.dispatch.Tick;
import io.sluice.mail.MailComposer;
import io.sluice.mail.PooledMailSender;
import io.sluice.mail.SluiceMimeMessage;
import io.sluice.validation.ValidationCache;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.spi.IdempotentRepository;

/**
 * Benchmark experiment only (bench/experiments/recipient-send-one-bean): the guard steps, compose, send and record of
 * routes/recipient-send.camel.yaml in one bean call, calling the same beans in the same order, so the difference to
 * the real route is Camel's per-step routing of each recipient. The throttle is left out (it never waits in the
 * benchmark). Created by a YAML bean definition, hence the lazy lookups.
 */
public class OneBeanSender implements CamelContextAware {

    private CamelContext context;
    private volatile boolean ready;
    private ValidationCache validation;
    private Dispatch dispatch;
    private IdempotentRepository records;
    private MailComposer composer;
    private PooledMailSender sender;

    public void send(Recipient r, Tick tick) throws Exception {
        init();
        String code = validation.lookup(r.emailKey());
        if (code == null) {
            dispatch.unvalidated(r);
            return;
        }
        if (dispatch.refuses(code)) {
            dispatch.skipped(r, code, tick);
            return;
        }
        if (!records.add(r.deliveryKey())) {
            dispatch.skipped(r, "duplicate", tick);
            return;
        }
        SluiceMimeMessage message = composer.compose(r);
        sender.send(message);
        dispatch.sent(r, message.getServerReply(), tick);
    }

    private void init() {
        if (!ready) {
            synchronized (this) {
                var registry = context.getRegistry();
                validation = registry.lookupByNameAndType("validationCache", ValidationCache.class);
                dispatch = registry.lookupByNameAndType("dispatch", Dispatch.class);
                records = registry.lookupByNameAndType("deliveryRecords", IdempotentRepository.class);
                composer = registry.lookupByNameAndType("mailComposer", MailComposer.class);
                sender = registry.lookupByNameAndType("pooledMailSender", PooledMailSender.class);
                ready = true;
            }
        }
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.context = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
