package dev.toolgate.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, checked on the compiled classes of every module (policy-core, config,
 * storage, proxy): no package cycles (a package and its own {@code internal} package may use
 * each other), the lower modules never import the proxy, and no module imports another's
 * {@code internal} packages.
 */
class ArchitectureTest {
    /** Each module and the package its classes live under. */
    private static final List<String> MODULES = List.of("dev.toolgate.policy", "dev.toolgate.config", "dev.toolgate.storage",
            "dev.toolgate.proxy");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ArchitectureTest::productionCode).importPackages("dev.toolgate");
    }

    /** Main classes only: test classes, in a directory or in a module's test jar, are not the product. */
    private static boolean productionCode(Location location) {
        return !location.contains("/test-classes/") && !location.contains("-tests.jar") && ImportOption.Predefined.DO_NOT_INCLUDE_TESTS
                .includes(location);
    }

    @Test
    void noPackageCycles() {
        SlicesRuleDefinition.slices().assignedFrom(PACKAGE_WITH_ITS_INTERNALS).should().beFreeOfCycles().check(classes);
    }

    @Test
    void policyCoreConfigAndStorageNeverImportTheProxy() {
        noClasses().that().resideInAnyPackage("dev.toolgate.policy..", "dev.toolgate.config..", "dev.toolgate.storage..")
                .should().dependOnClassesThat().resideInAPackage("dev.toolgate.proxy..")
                .check(classes);
    }

    @Test
    void noModuleImportsAnotherModulesInternalPackages() {
        for (String module : MODULES) {
            noClasses().that().resideOutsideOfPackage(module + "..")
                    .should().dependOnClassesThat().resideInAPackage(module + "..internal..")
                    .as("code outside " + module + " uses none of its internal packages")
                    .check(classes);
        }
    }

    /** One slice per package, with its own {@code internal} package (and what is below that) in it. */
    private static final SliceAssignment PACKAGE_WITH_ITS_INTERNALS = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            int internal = name.indexOf(".internal");
            return SliceIdentifier.of(internal < 0 ? name : name.substring(0, internal));
        }

        @Override
        public String getDescription() {
            return "packages, each with its own internal package";
        }
    };
}
