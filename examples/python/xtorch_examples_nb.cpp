// xtorch_examples_nb: C++ functions written with xtensor, called from Python with torch tensors and numpy arrays
// through the casters of <xtensor-torch/nanobind.hpp> (the nanobind counterpart of xtorch_examples, built where
// nanobind is installed).
//
//   scale_(x, factor)        in place, on the caller's memory (float32 or float64)
//   total(x)                 the sum of a float64 array or tensor, read where it lies (exactly float64: noconvert)
//   sine(n, periods)         a tensor made by xtensor, handed over without a copy
//   residuals(pred, target)  pred - target, computed by xtensor over both inputs' memory
#include <cmath>
#include <cstddef>

#include <xtensor-torch/nanobind.hpp>

#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xbuilder)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)

namespace nb = nanobind;

namespace
{
    template <class T>
    void scale_in_place(xtorch::xarray_view<T> x, double factor)
    {
        x *= static_cast<T>(factor);  // writes through the view's strides into the caller's memory
    }
}

// FREE_THREADED in its CMake target: the casters and these functions share no state, so the module runs without
// the GIL on free-threaded Python.
NB_MODULE(xtorch_examples_nb, m)
{
    xtorch::python::import_torch(m);
    m.doc() = "C++ functions written with xtensor, bound with nanobind, taking and returning torch tensors.";

    // One binding for two dtypes: at::Tensor takes the caller's memory as it is, and C++ picks the view
    // (python::as_xarray refuses as an xarray_view parameter would, in Python terms).
    m.def(
        "scale_",
        [](const at::Tensor& x, double factor)
        {
            if (x.scalar_type() == at::kDouble)
            {
                scale_in_place(xtorch::python::as_xarray<double>(x, "scale_(x)"), factor);
            }
            else
            {
                scale_in_place(xtorch::python::as_xarray<float>(x, "scale_(x)"), factor);
            }
        },
        nb::arg("x"), nb::arg("factor"),
        "Multiplies x by factor in place: x is a float32 or float64 torch.Tensor or numpy.ndarray, any strides.");

    m.def(
        "total", [](xtorch::xarray_view<const double> x) { return xt::sum(x)(); }, nb::arg("x").noconvert(),
        "The sum of x, float64, read where it lies (other dtypes are refused, not converted).");

    m.def(
        "sine",
        [](std::size_t n, double periods)
        {
            xt::xarray<double> x = xt::sin(xt::linspace<double>(0., 2. * M_PI * periods, n));
            return x;  // moved into the tensor
        },
        nb::arg("n"), nb::arg("periods") = 1.0, "sin over [0, 2 pi periods], n float64 samples, made by xtensor.");

    m.def(
        "residuals",
        [](xtorch::xarray_view<const float> predicted, xtorch::xarray_view<const float> target)
        {
            xt::xarray<float> r = predicted - target;
            return r;
        },
        nb::arg("predicted"), nb::arg("target"),
        "predicted - target, float32 (predictions may require grad: they are only read).");
}
