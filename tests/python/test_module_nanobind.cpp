// _xtorch_test_nb: the casters of <xtensor-torch/nanobind.hpp>, bound from the same sources as _xtorch_test (one
// test_<header>.cpp per caster, and the second translation unit), for the same pytest files: the test_<header>.py of
// the casters run against both modules (XTENSOR_TORCH_TEST_MODULE=_xtorch_test_nb selects this one).
#include "casters_module.hpp"

NB_MODULE(_xtorch_test_nb, m)
{
    xtorch::python::import_torch(m);
    casters_test::bind_view_caster(m);
    casters_test::bind_tensor_caster(m);
    casters_test::bind_container_caster(m);
    casters_test::bind_expression_caster(m);
    casters_test::bind_second_translation_unit(m);
    casters_test::bind_counters(m);
}
