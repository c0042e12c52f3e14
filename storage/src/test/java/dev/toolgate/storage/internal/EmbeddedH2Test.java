package dev.toolgate.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddedH2Test {

    @Test
    void fileUrlsHaveAJournalNextToTheDatabaseFile() {
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:h2:file:./data/toolgate;MODE=PostgreSQL"))
                .contains(Path.of("./data/toolgate.audit-journal"));
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:h2:/var/lib/toolgate/db"))
                .contains(Path.of("/var/lib/toolgate/db.audit-journal"));
        assertThat(EmbeddedH2.auditJournalDirectory("JDBC:H2:FILE:/srv/tg"))
                .contains(Path.of("/srv/tg.audit-journal"));
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:h2:~/toolgate"))
                .contains(Path.of(System.getProperty("user.home"), "toolgate.audit-journal"));
    }

    @Test
    void memoryServerAndOtherFileSystemUrlsHaveNone() {
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1")).isEmpty();
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:h2:tcp://localhost:9092/toolgate")).isEmpty();
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:h2:ssl://db.internal/toolgate")).isEmpty();
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:h2:zip:/backups/db.zip!/toolgate")).isEmpty();
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:h2:nio:/data/toolgate")).isEmpty();
        assertThat(EmbeddedH2.auditJournalDirectory("jdbc:postgresql://db/toolgate")).isEmpty();
    }
}
