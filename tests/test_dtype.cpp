// Tests of dtype.hpp: the type map, and casts that follow torch's rules for every pair of dtypes.
#include "test_common.hpp"

using namespace xtorch_test;

// Each mapping derived from the dtype table leads back to the same C++ type: the C++ traits, the run-time
// visit, torch's Python name, numpy's kind and size, and DLPack's code and bits.
TEST_CASE("the dtype table: every row maps back to itself through every derived mapping", "[dtype]")
{
    for_each_type(
        all_types{},
        [](auto tag)
        {
            using T = typename decltype(tag)::type;
            constexpr c10::ScalarType st = xtorch::scalar_type_of<T>();
            INFO(xtorch::type_name<T>() << " / " << c10::toString(st));
            REQUIRE(c10::elementSize(st) == sizeof(T));
            bool visited = false;
            REQUIRE(xtorch::detail::try_visit_dtype(
                st, [&](auto back) { visited = std::is_same<typename decltype(back)::type, T>::value; }));
            REQUIRE(visited);
            REQUIRE(xtorch::detail::type_name_of(st) == xtorch::type_name<T>());
            const std::string python = xtorch::detail::python_name_of(st);
            REQUIRE_FALSE(python.empty());
            REQUIRE_THAT(xtorch::detail::supported_dtypes(), text::Contains(c10::toString(st)));
            // numpy: bfloat16 is the one dtype numpy lacks.
            const char kind = std::is_same<T, bool>::value                                            ? 'b'
                              : std::is_same<T, c10::BFloat16>::value                                 ? '\0'
                              : xtorch::detail::is_complex<T>::value                                  ? 'c'
                              : std::is_floating_point<T>::value || std::is_same<T, c10::Half>::value ? 'f'
                              : std::is_signed<T>::value                                              ? 'i'
                                                                                                      : 'u';
            if (kind != '\0')
            {
                REQUIRE(xtorch::detail::scalar_type_of_numpy(kind, sizeof(T)) == st);
                REQUIRE_THAT(xtorch::detail::supported_numpy_dtypes(), text::Contains(python));
            }
            const int code = std::is_same<T, bool>::value            ? 6
                             : std::is_same<T, c10::BFloat16>::value ? 4
                             : kind == 'c'                           ? 5
                             : kind == 'f'                           ? 2
                             : kind == 'i'                           ? 0
                                                                     : 1;
            REQUIRE(xtorch::detail::scalar_type_of_dlpack(code, 8 * sizeof(T), true) == st);
        });
    REQUIRE(xtorch::detail::scalar_type_of_dlpack(6, 8, false) == c10::ScalarType::Undefined);
    REQUIRE(xtorch::detail::scalar_type_of_numpy('f', 16) == c10::ScalarType::Undefined);  // long double
    REQUIRE(std::string(xtorch::detail::python_name_of(c10::ScalarType::QInt8)).empty());
}

TEST_CASE("to_tensor and to_xarray: every dtype pair casts as torch casts", "[to_tensor][to_xarray][dtype]")
{
    for_each_type(all_types{},
                  [](auto from_tag)
                  {
                      using From = typename decltype(from_tag)::type;
                      const xt::xarray<From> src = samples<From>({2, 3});
                      const at::Tensor src_t = xtorch::to_tensor(src);
                      for_each_type(
                          all_types{},
                          [&](auto to_tag)
                          {
                              using To = typename decltype(to_tag)::type;
                              constexpr auto to = xtorch::scalar_type_of<To>();
                              INFO("from " << xtorch::type_name<From>() << " to " << xtorch::type_name<To>());
                              const at::Tensor expected = src_t.to(to);
                              // to_tensor: through torch's copy (memory) and through evaluation (lazy)
                              REQUIRE(xtorch::to_tensor(src, to).equal(expected));
                              REQUIRE(xtorch::to_tensor(lazy(src), to).equal(expected));
                              REQUIRE(xtorch::to_tensor(xt::transpose(src), to).equal(expected.t()));
                              // to_xarray: contiguous and transposed sources
                              xt::xarray<To> back = xtorch::to_xarray<To>(src_t);
                              REQUIRE(xtorch::as_tensor(back).equal(expected));
                              xt::xarray<To> back_t = xtorch::to_xarray<To>(src_t.t());
                              REQUIRE(xtorch::as_tensor(back_t).equal(expected.t()));
                          });
                  });
}
