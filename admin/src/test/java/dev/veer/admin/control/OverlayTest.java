package dev.veer.admin.control;

import dev.veer.admin.state.StateDoc;
import dev.veer.admin.state.StateDoc.FlagState;
import dev.veer.admin.state.StateDoc.ServiceState;
import dev.veer.config.ConfigLoader;
import dev.veer.config.ModelJson;
import dev.veer.config.model.VeerConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OverlayTest {

    private static final Overlay.FlagParser FLAGS = (name, node) -> ModelJson.parseFlag(name, node, "flags." + name);

    private static VeerConfig config(String versions, String weights) throws Exception {
        String yaml = """
                services:
                  - name: shop
                    match: { pathPrefix: "/" }
                    versions: %s
                    weights: %s
                """.formatted(versions, weights);
        return ConfigLoader.parse(yaml, "test.yaml", Map.of(), List.of());
    }

    private static StateDoc runtime(ServiceState shop) {
        return new StateDoc(5, Map.of("shop", shop), new FlagState(List.of(), Map.of(), List.of(), Map.of()),
                Map.of());
    }

    @Test
    void runtimeWeightsAndVersionsWinOverTheFile() throws Exception {
        VeerConfig file = config("[{name: blue, endpoints: ['127.0.0.1:9001']}, {name: green, endpoints: ['127.0.0.1:9002']}]",
                "{blue: 100}");
        ServiceState shop = new ServiceState(4, List.of("blue", "green"), Map.of("blue", 7000, "green", 2000, "canary", 1000),
                Map.of("canary", List.of("127.0.0.1:9003")), List.of(), null);

        Overlay.Result result = Overlay.apply(file, runtime(shop), FLAGS);

        assertThat(result.dropped()).isEmpty();
        var svc = result.view().service("shop");
        assertThat(svc.versionNames()).containsExactly("blue", "green", "canary");
        assertThat(svc.weights().basisPoints()).containsExactly(Map.entry("blue", 7000), Map.entry("green", 2000),
                Map.entry("canary", 1000));
        assertThat(result.view().serviceRevision("shop")).isEqualTo(4);
    }

    @Test
    void changesReferringToAVersionTheFileRemovedAreDropped() throws Exception {
        VeerConfig file = config("[{name: blue, endpoints: ['127.0.0.1:9001']}]", "{blue: 100}");
        ServiceState shop = new ServiceState(4, List.of("blue", "green"), Map.of("blue", 5000, "green", 5000),
                Map.of("green", List.of("127.0.0.1:9009")), List.of(), "green");

        Overlay.Result result = Overlay.apply(file, runtime(shop), FLAGS);

        assertThat(result.view().service("shop").versionNames()).containsExactly("blue");
        assertThat(result.view().service("shop").weights().basisPoints()).containsExactly(Map.entry("blue", 10_000));
        assertThat(result.dropped()).extracting(Overlay.Dropped::message)
                .anySatisfy(m -> assertThat(m).contains("runtime endpoints of shop/green dropped"))
                .anySatisfy(m -> assertThat(m).containsAnyOf("runtime weights of shop {\"blue\":50,\"green\":50} dropped",
                        "runtime weights of shop {\"green\":50,\"blue\":50} dropped")) // percent, as operators write them
                .anySatisfy(m -> assertThat(m).contains("preview of shop/green dropped"));
        assertThat(result.doc().services().get("shop").weightsBps()).isNull();
        assertThat(result.doc().services().get("shop").baseVersions()).containsExactly("blue");
    }

    /** An address an older Veer accepted through the API and this one refuses: dropped, the start goes on. */
    @Test
    void runtimeEndpointsThisVeerRefusesAreDroppedNotFatal() throws Exception {
        VeerConfig file = config("[{name: blue, endpoints: ['127.0.0.1:9001']}, {name: green, endpoints: ['127.0.0.1:9002']}]",
                "{blue: 100}");
        ServiceState shop = new ServiceState(4, List.of("blue", "green"), null,
                Map.of("green", List.of("bad host:80")), List.of(), null);

        Overlay.Result result = Overlay.apply(file, runtime(shop), FLAGS);

        assertThat(result.view().service("shop").version("green").endpoints()).extracting(Object::toString)
                .containsExactly("127.0.0.1:9002");
        assertThat(result.dropped()).extracting(Overlay.Dropped::message).containsExactly(
                "runtime endpoints of shop/green [bad host:80] dropped: not all are host:port addresses this Veer accepts");
    }

    @Test
    void serviceGoneFromTheFileDropsItsChanges() throws Exception {
        VeerConfig file = config("[{name: blue, endpoints: ['127.0.0.1:9001']}]", "{blue: 100}");
        StateDoc doc = new StateDoc(2, Map.of("cart", new ServiceState(3, List.of("a"), Map.of("a", 10_000),
                Map.of(), List.of(), null)), new FlagState(List.of(), Map.of(), List.of(), Map.of()), Map.of());

        Overlay.Result result = Overlay.apply(file, doc, FLAGS);

        assertThat(result.dropped()).extracting(Overlay.Dropped::target).containsExactly("cart");
        assertThat(result.doc().services()).isEmpty();
    }
}
